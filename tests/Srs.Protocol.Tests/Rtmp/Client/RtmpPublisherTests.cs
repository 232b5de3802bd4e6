using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Protocol.Tests.Rtmp.Client.ScriptedServer;

namespace Srs.Protocol.Tests.Rtmp.Client;

/// <summary>
/// Enhanced RTMP's reconnect request: its bytes, the capability in connect and _result, and the
/// publisher that follows it, make before break, between two scripted servers.
/// </summary>
public class RtmpPublisherTests
{
    private static readonly byte[] SequenceHeader = [0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1E];
    private static readonly byte[] Keyframe = [0x17, 0x01, 0, 0, 0, 0xAA];
    private static readonly byte[] Inter = [0x27, 0x01, 0, 0, 0, 0xBB];

    private static string Amf0String(string s) => $"{s.Length:x4}{Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(s))}";

    [Fact]
    public void ReconnectRequest_IsAnOnStatusOnTheConnection_WithTheTcUrlToUse()
    {
        var expected = "02" + Amf0String("onStatus") + "00" + "0000000000000000" + "05" + "03"
            + Amf0String("level") + "02" + Amf0String("status")
            + Amf0String("code") + "02" + Amf0String("NetConnection.Connect.ReconnectRequest")
            + Amf0String("description") + "02" + Amf0String("upgrade")
            + Amf0String("tcUrl") + "02" + Amf0String("rtmp://b/live")
            + "000009";
        Assert.Equal(expected, Convert.ToHexString(ReconnectRequest.Build("rtmp://b/live", "upgrade")), ignoreCase: true);

        var status = RtmpStatus.FromCommand(RtmpCommand.Parse(ReconnectRequest.Build(null, "upgrade")))!;
        Assert.True(status.IsReconnectRequest);
        Assert.Null(status.TcUrl); // none: reconnect to the tcUrl connected with
    }

    [Fact]
    public async Task Connect_AdvertisesReconnectInCapsEx_OnlyWhenAsked()
    {
        foreach (var honours in new[] { false, true })
        {
            await using var server = new ScriptedServer(new RtmpClientOptions { HonoursReconnect = honours });
            await server.HandshakeAsync();
            var client = server.Client.ConnectAsync("live", "rtmp://127.0.0.1/live");
            var connect = await server.ReadCommandAsync();
            Assert.Equal(honours, ReconnectRequest.Advertised(connect.CommandProperties!));
            await server.SendCommandAsync(ServerCommands.ConnectResult(connect.TransactionId, 0, honours ? ReconnectRequest.CapsExReconnect : 0));
            await Guard(client);
        }
    }

    [Fact]
    public async Task Publisher_MovesAtTheNextKeyframe_HeadersFirst_ThenLeavesTheOldServer()
    {
        var options = new RtmpClientOptions { HonoursReconnect = true };
        await using var first = new ScriptedServer(options);
        await using var second = new ScriptedServer(options);
        await first.ConnectAndCreateStreamAsync();
        string? askedFor = null;
        var opened = 0;
        var secondOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<RtmpClientConnection> Open(string? tcUrl, CancellationToken ct)
        {
            if (opened++ == 0) return first.Client;
            askedFor = tcUrl;
            await second.ConnectAndCreateStreamAsync(); // the server's side of it is scripted here
            secondOpen.SetResult();
            return second.Client;
        }

        var starting = RtmpPublisher.StartAsync(Open, "s1");
        Assert.Equal(CommandNames.Publish, (await first.ReadCommandAsync()).Name);
        await first.SendStatusAsync(StatusLevels.Status, "NetStream.Publish.Start");
        await using var publisher = await Guard(starting);
        await publisher.SendVideoAsync(0, SequenceHeader);
        await publisher.SendVideoAsync(0, Keyframe);
        Assert.Equal(SequenceHeader, (await first.ReadNonControlMessageAsync()).Payload.ToArray());
        Assert.Equal(Keyframe, (await first.ReadMessageAsync()).Payload.ToArray());

        // The server asks; the publisher opens and publishes a second connection meanwhile.
        await first.SendCommandAsync(ReconnectRequest.Build("rtmp://127.0.0.1:1936/live", "moving"));
        await Guard(secondOpen.Task);
        Assert.Equal(CommandNames.Publish, (await second.ReadCommandAsync()).Name);
        Assert.Equal("rtmp://127.0.0.1:1936/live", askedFor);
        await second.SendStatusAsync(StatusLevels.Status, "NetStream.Publish.Start");

        // Until a keyframe, media still goes to the first server.
        Assert.True(SpinWait.SpinUntil(() => publisher.ReadyToMove, TimeSpan.FromSeconds(5)), "the second connection publishes");
        Assert.Same(first.Client, publisher.Current);
        await publisher.SendVideoAsync(40, Inter);
        Assert.Equal(40u, (await first.ReadMessageAsync()).Timestamp);
        Assert.Equal(0, publisher.Moves);

        // The keyframe goes to the second, after the sequence header; the first gets deleteStream.
        await publisher.SendVideoAsync(1000, Keyframe);
        var header = await second.ReadNonControlMessageAsync();
        Assert.Equal(SequenceHeader, header.Payload.ToArray());
        var key = await second.ReadMessageAsync();
        Assert.Equal(Keyframe, key.Payload.ToArray());
        Assert.Equal(1000u, key.Timestamp);
        Assert.Equal(1, publisher.Moves);
        Assert.Equal(CommandNames.DeleteStream, (await first.ReadCommandAsync()).Name);
        await publisher.SendVideoAsync(1040, Inter);
        Assert.Equal(1040u, (await second.ReadMessageAsync()).Timestamp);
    }
}
