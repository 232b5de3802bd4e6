using System.Net;
using System.Net.Sockets;
using System.Text;
using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// An HTTP-FLV player's socket is taken over from Kestrel once its play is accepted: the node itself
/// must then see the client leave (live or still waiting for a publisher) and close it on a kick.
/// </summary>
public sealed class HttpFlvPlayerTests(ITestOutputHelper output, SharedNode shared) : IClassFixture<SharedNode>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_player_that_closes_leaves_the_client_list_whether_waiting_or_live()
    {
        await using var s = await Scenario.StartAsync(output, shared);

        // Waiting: nothing is sent to it, so only its close can tell the node it left.
        var waiting = await GetFlvAsync(s, "flv-waits");
        var waitingId = await FlvClientIdAsync(s, "flv-waits");
        waiting.Dispose();
        await s.Until(async () => (await s.Api.ClientsAsync()).All(c => c.Id != waitingId), Wait, "the waiting player that closed leaves the list");

        s.Publish("flv-live");
        var live = await GetFlvAsync(s, "flv-live");
        await s.Until(() => live.Available >= 2000, Wait, "the live player receives media");
        var liveId = await FlvClientIdAsync(s, "flv-live");
        live.Dispose();
        await s.Until(async () => (await s.Api.ClientsAsync()).All(c => c.Id != liveId), Wait, "the live player that closed leaves the list");
    }

    [Fact]
    public async Task A_kicked_player_is_disconnected()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        s.Publish("flv-kick");
        using var player = await GetFlvAsync(s, "flv-kick");
        var id = await FlvClientIdAsync(s, "flv-kick");
        var kick = await s.Api.DeleteAsync($"api/v1/clients/{id}");
        s.Check(kick.Status == HttpStatusCode.OK && kick.Code == 0, $"the kick should answer 200 with code 0: {kick}");

        // Read what was sent up to the kick; the connection must then end.
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Wait);
        var head = "";
        int n;
        try
        {
            while ((n = await player.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                if (head.Length < 12) head += Encoding.ASCII.GetString(buffer, 0, Math.Min(n, 12));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
        s.Check(head.StartsWith("HTTP/1.1 200"), $"the response should have begun with its status line: '{head}'");
        await s.Until(async () => (await s.Api.ClientsAsync()).All(c => c.Id != id), Wait, "the kicked player leaves the list");
    }

    private static async Task<Socket> GetFlvAsync(Scenario s, string stream)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, s.Ports.HttpServer);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /live/{stream}.flv HTTP/1.1\r\nHost: 127.0.0.1:{s.Ports.HttpServer}\r\n\r\n"));
        return socket;
    }

    private static async Task<string> FlvClientIdAsync(Scenario s, string stream)
    {
        string? id = null;
        await s.Until(async () =>
        {
            id = (await s.Api.ClientsOfAsync(stream)).SingleOrDefault(c => c.Type == ClientInfo.FlvPlay)?.Id;
            return id is not null;
        }, Wait, $"the API lists the flv-play client of {stream}");
        return id!;
    }
}
