using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Srs.Actors.Listeners;
using Srs.Node.Http.Transport;

namespace Srs.Node.Tests.Http;

/// <summary>
/// Kestrel on <see cref="TakeoverSocketTransport"/>, in-process on a loopback port, driven with raw
/// TCP: ordinary requests behave as on Kestrel's own transport, and a taken-over socket outlives
/// Kestrel's connection.
/// </summary>
public sealed class TakeoverSocketTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _connectionsDone = new();
    private readonly TaskCompletionSource _waitStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _waitAborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private Socket? _listen;
    private int _port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IConnectionListenerFactory>(new TakeoverSocketTransport(ep => _listen = ListenSocket.Bind(ep, reusePort: false)));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
        {
            // Kestrel's whole use of the connection, disposal included: after this, only a taker holds the socket.
            await next(connection);
            await connection.DisposeAsync();
            Done(connection.ConnectionId).TrySetResult();
        })));
        _app = builder.Build();
        _app.MapGet("/hello", ctx =>
        {
            ctx.Response.ContentLength = 5;
            return ctx.Response.WriteAsync("hello");
        });
        _app.MapGet("/abort", ctx => { ctx.Abort(); return Task.CompletedTask; });
        _app.MapGet("/wait", async ctx =>
        {
            _waitStarted.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, ctx.RequestAborted); }
            catch (OperationCanceledException) { _waitAborted.TrySetResult(); }
        });
        _app.MapGet("/take", async ctx =>
        {
            var socket = await ctx.Features.Get<ISocketTakeoverFeature>()!.TakeOverAsync();
            var kestrelDone = Done(ctx.Connection.Id).Task;
            ctx.Abort();
            _ = Task.Run(async () =>
            {
                await kestrelDone;
                await socket!.SendAsync(Encoding.ASCII.GetBytes("taken"));
                socket.Shutdown(SocketShutdown.Send);
                var drain = new byte[64 * 1024]; // read to the peer's close: closing with unread bytes would reset
                while (await socket.ReceiveAsync(drain) > 0) { }
                socket.Dispose();
            });
        });
        await _app.StartAsync();
        _port = ((IPEndPoint)_listen!.LocalEndPoint!).Port;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Requests_On_One_KeepAlive_Connection_Are_Answered_In_Turn()
    {
        using var client = await ConnectAsync();
        await SendAsync(client, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.EndsWith("\r\n\r\nhello", await ReadResponseAsync(client, "hello"));
        await SendAsync(client, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.EndsWith("\r\n\r\nhello", await ReadResponseAsync(client, "hello"));
    }

    [Fact]
    public async Task A_Taken_Socket_Carries_Only_The_Takers_Bytes_After_Kestrel_Let_Go()
    {
        using var client = await ConnectAsync();
        await SendAsync(client, "GET /take HTTP/1.1\r\nHost: t\r\n\r\n");
        // Written once Kestrel has finished and disposed the connection; nothing of Kestrel's before it.
        Assert.Equal("taken", await ReadToEndAsync(client));
    }

    [Fact]
    public async Task A_Takeover_Does_Not_Wait_For_Unread_Input()
    {
        // More than the input pipe holds arrives behind the request: the receive loop is held back
        // by the unread bytes when the request takes the socket over, and must stop all the same.
        using var client = await ConnectAsync();
        await SendAsync(client, "GET /take HTTP/1.1\r\nHost: t\r\n\r\n");
        var junk = Task.Run(async () =>
        {
            try { for (var i = 0; i < 32; i++) await client.SendAsync(new byte[16 * 1024]); }
            catch (SocketException) { } // the taker closed first
        });
        Assert.Equal("taken", await ReadToEndAsync(client));
        await junk.WaitAsync(Wait);
    }

    [Fact]
    public async Task The_Clients_Close_Aborts_A_Running_Request()
    {
        using (var client = await ConnectAsync())
        {
            await SendAsync(client, "GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
            await _waitStarted.Task.WaitAsync(Wait);
        }
        await _waitAborted.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task An_Abort_Without_Takeover_Closes_The_Socket()
    {
        using var client = await ConnectAsync();
        await SendAsync(client, "GET /abort HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("", await ReadToEndAsync(client, resetIsEnd: true));
    }

    [Theory]
    [InlineData("NOT HTTP AT ALL\r\n\r\n", "HTTP/1.1 400")]
    [InlineData("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: {0}\r\n\r\n", "HTTP/1.1 431")]
    public async Task Broken_Http_Is_Answered_And_The_Connection_Closed(string request, string status)
    {
        using var client = await ConnectAsync();
        await SendAsync(client, string.Format(request, new string('x', 40_000))); // Kestrel's head limit is 32 KB
        var response = await ReadToEndAsync(client, resetIsEnd: true);
        Assert.StartsWith(status, response);
    }

    [Fact]
    public async Task Stopping_The_Server_Closes_The_Listening_Socket()
    {
        await _app.StopAsync().WaitAsync(Wait);
        Assert.True(_listen!.SafeHandle.IsClosed, "the listener's socket should be closed once Kestrel has stopped");
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, _port));
    }

    private TaskCompletionSource Done(string connectionId) =>
        _connectionsDone.GetOrAdd(connectionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _port);
        return socket;
    }

    private static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Reads until the text ends with <paramref name="end"/>.</summary>
    private static async Task<string> ReadResponseAsync(Socket socket, string end)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Wait);
        while (!text.ToString().EndsWith(end))
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "the connection closed before the response ended: " + text);
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return text.ToString();
    }

    private static async Task<string> ReadToEndAsync(Socket socket, bool resetIsEnd = false)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            int n;
            try { n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token); }
            catch (SocketException e) when (resetIsEnd && e.SocketErrorCode == SocketError.ConnectionReset) { n = 0; }
            if (n == 0) return text.ToString();
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }
}
