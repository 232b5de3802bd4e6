using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// HTTP hooks as SRS has them (`srs.hooks`): the node POSTs SRS's JSON body to each URL; on_publish
/// (like on_connect and on_play) lets the client in only on an answer of "0" or {"code": 0}, and
/// on_unpublish / on_stop are notifications. A real HTTP endpoint on loopback stands for the user's.
/// </summary>
public sealed class HookTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private static string Hooks(HookServer hooks, string publish) => $$"""
        srs.hooks {
          on-publish = ["{{hooks.Url(publish)}}"]
          on-unpublish = ["{{hooks.Url("notify")}}"]
          on-play = ["{{hooks.Url("allow")}}"]
          on-stop = ["{{hooks.Url("notify")}}"]
        }
        """;

    [Fact]
    public async Task A_refusing_on_publish_rejects_the_publisher_and_gets_SRS_body()
    {
        await using var hooks = HookServer.Start();
        await using var s = await Scenario.StartAsync(output, Hooks(hooks, publish: "deny"));

        using var raw = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        await raw.HandshakeAsync(Step);
        await raw.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        var status = await raw.PublishAsync(await raw.CreateStreamAsync(Step), "guarded?token=abc", Step);

        s.Check(RawRtmpConnection.StatusCode(status) == "NetStream.Publish.Rejected",
            $"expected onStatus NetStream.Publish.Rejected, got {status}; seen: {raw.SeenMessages}");
        s.Check(await raw.WaitForServerCloseAsync(Step) is not null, "the server should close the refused publisher's connection");
        s.Check(await s.Api.FindStreamAsync("guarded") is not { PublishActive: true }, "the refused publisher must not hold the stream");

        var call = Assert.Single(hooks.Calls);
        s.Check(call is { Method: "POST", Path: "/deny" } && call.ContentType?.StartsWith("application/json") == true,
            $"one JSON POST to /deny expected, got {call.Method} {call.Path} ({call.ContentType})");
        // SRS's fields, in SRS's order, with the stream name and its query string apart.
        Assert.Equal(["action", "client_id", "ip", "vhost", "app", "stream", "tcUrl", "pageUrl", "param"], call.Names);
        Assert.Equal("on_publish", call.Action);
        Assert.Equal("127.0.0.1", call.Field("ip"));
        Assert.Equal("__defaultVhost__", call.Field("vhost"));
        Assert.Equal("live", call.Field("app"));
        Assert.Equal("guarded", call.Field("stream"));
        Assert.Equal("?token=abc", call.Field("param"));
        Assert.Equal($"rtmp://127.0.0.1:{s.Ports.Rtmp}/live", call.Field("tcUrl"));
        Assert.False(string.IsNullOrEmpty(call.Field("client_id")), "client_id should name the client: " + call.Body);
    }

    [Fact]
    public async Task Allowed_publish_and_play_notify_unpublish_and_stop_for_the_same_clients()
    {
        await using var hooks = HookServer.Start();
        await using var s = await Scenario.StartAsync(output, Hooks(hooks, publish: "allow"));

        var publisher = s.Publish("open", name: "publisher");
        var player = s.PlayRtmp("open", name: "player");
        await s.Until(() => player.VideoFrames >= FfmpegPublisher.Fps, TimeSpan.FromSeconds(15), "the player receives video past both hooks");
        var published = Assert.Single(hooks.Of("on_publish"));
        var played = Assert.Single(hooks.Of("on_play"));
        s.Check(published.Field("stream") == "open" && played.Field("stream") == "open", "both hooks name the stream");
        s.Check(published.Field("client_id") != played.Field("client_id"), "publisher and player are different clients");

        await player.DisposeAsync();
        await s.Until(() => hooks.Of("on_stop").Any(), Step, "on_stop arrives when the player leaves");
        Assert.Equal(played.Field("client_id"), hooks.Of("on_stop").Single().Field("client_id"));

        await publisher.DisposeAsync();
        await s.Until(() => hooks.Of("on_unpublish").Any(), Step, "on_unpublish arrives when the publisher leaves");
        Assert.Equal(published.Field("client_id"), hooks.Of("on_unpublish").Single().Field("client_id"));
        s.Check(hooks.Calls.All(c => c.Path is "/allow" or "/notify"), "each event goes to its own URL");
    }
}
