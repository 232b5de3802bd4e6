using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Srs.Node.Http;

namespace Srs.Node.Upgrade;

/// <summary>
/// Serves this process's part of the HTTP API to the other process of an upgrade in place, on a
/// <see cref="PrivateSocket"/>: one request line per connection, the answer, then the close.
/// <list type="bullet">
/// <item><c>VIEW Older</c> / <c>VIEW Newer</c>: the <see cref="NodeView"/> of this process and the
/// older (newer) ones linked to it, as JSON.</item>
/// <item><c>KICK id</c>: closes this process's client <c>id</c> (the API's DELETE); answers
/// <c>done</c>, or <c>none</c> when there is no such client.</item>
/// </list>
/// </summary>
public static class UpgradeStatsSocket
{
    public const string View = "VIEW";
    public const string Kick = "KICK";
    public const string Done = "done";
    private const int MaxRequest = 256;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <param name="kick">Closes a client of this process; false when there is none by that id.</param>
    public static PrivateSocket? Start(UpgradeNeighbours neighbours, Func<string, bool> kick, ILogger log) =>
        PrivateSocket.Start("stats", "serves this process's clients and streams to the other process of an upgrade",
            "during an upgrade the HTTP API reports only the process that answers", socket => _ = AnswerAsync(socket, neighbours, kick), log);

    private static async Task AnswerAsync(Socket socket, UpgradeNeighbours neighbours, Func<string, bool> kick)
    {
        using var _ = socket;
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            var request = await ReadLineAsync(socket, timeout.Token);
            var answer = request?.Split(' ', 2) switch
            {
                [View, var scope] when Enum.TryParse<ViewScope>(scope, out var s) && s != ViewScope.All =>
                    JsonSerializer.Serialize(await neighbours.ViewAsync(s, timeout.Token), ApiJsonContext.Default.NodeView),
                [Kick, var id] => kick(id) ? Done : "none",
                _ => null, // not a request: close
            };
            if (answer is not null) await socket.SendAsync(Encoding.UTF8.GetBytes(answer), SocketFlags.None, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { }
    }

    /// <summary>The request line (without its newline), or null when the connection ends or overflows first.</summary>
    private static async Task<string?> ReadLineAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[MaxRequest];
        var length = 0;
        while (length < buffer.Length)
        {
            var got = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, ct);
            if (got == 0) return null;
            var end = Array.IndexOf(buffer, (byte)'\n', length, got);
            length += got;
            if (end >= 0) return Encoding.ASCII.GetString(buffer, 0, end);
        }
        return null;
    }
}
