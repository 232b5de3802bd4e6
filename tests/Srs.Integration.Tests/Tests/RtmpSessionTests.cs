using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// A raw RTMP client's session steps. A client may send connect right behind C2 without waiting
/// (ffmpeg does; on a busy machine both arrive in one read): the server must answer it.
/// </summary>
public sealed class RtmpSessionTests(ITestOutputHelper output, SharedNode shared) : IClassFixture<SharedNode>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Connect_sent_in_the_same_write_as_C2_is_answered()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        using var client = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);

        await client.HandshakeAsync(Step, afterC2: RtmpChunks.Connect("live", $"rtmp://127.0.0.1:{s.Ports.Rtmp}/live"));
        var reply = await AnswerOrNull(() => client.ReadCommandAsync(c => c.TransactionId == 1, Step));

        s.Check(reply is not null, $"connect sent with C2 got no answer within {Step.TotalSeconds} s; messages seen: {client.SeenMessages}");
        s.Check(reply!.Name == "_result" && RawRtmpConnection.StatusCode(reply) == "NetConnection.Connect.Success",
            $"expected _result NetConnection.Connect.Success, got {reply}");
    }

    [Fact]
    public async Task Connect_createStream_publish_step_by_step_succeed()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        using var client = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);

        await client.HandshakeAsync(Step);
        var connect = await client.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        s.Check(connect.Name == "_result" && RawRtmpConnection.StatusCode(connect) == "NetConnection.Connect.Success", $"connect: got {connect}");
        var streamId = await client.CreateStreamAsync(Step);
        s.Check(streamId > 0, $"createStream should return a non-zero stream id, got {streamId}");
        var publish = await client.PublishAsync(streamId, "raw", Step);
        s.Check(RawRtmpConnection.StatusCode(publish) == "NetStream.Publish.Start", $"publish: expected NetStream.Publish.Start, got {publish}; seen: {client.SeenMessages}");
        await s.Until(async () => (await s.Api.FindStreamAsync("raw"))?.PublishActive == true, Step, "the API shows live/raw published");
    }

    [Fact]
    public async Task A_player_that_deletes_its_stream_is_logged_as_closing_it_itself()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        s.Publish("leaver");
        using var player = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        await player.HandshakeAsync(Step);
        await player.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        var streamId = await player.CreateStreamAsync(Step);
        await player.SendAsync(RtmpChunks.Play(streamId, "leaver"));
        await s.Until(() => player.Available >= 2000, TimeSpan.FromSeconds(15), "the player receives media");

        // What ffmpeg and ffplay send as they stop playing; the server then closes the connection.
        await player.SendAsync(RtmpChunks.Command(streamId, Amf0Bytes.String("deleteStream"), Amf0Bytes.Number(0), Amf0Bytes.Null(), Amf0Bytes.Number(streamId)));
        s.Check(await player.WaitForServerCloseAsync(Step) is not null, "the server should close the connection of a player that deleted its stream");
        await s.Until(() => s.Node.Log.Contains("closed: player closed its stream (deleteStream)"), Step,
            "the node logs that the player closed its stream (not that the stream's source stopped)");
    }

    private static async Task<T?> AnswerOrNull<T>(Func<Task<T>> read) where T : class
    {
        try { return await read(); }
        catch (TimeoutException) { return null; }
    }
}
