using System.Buffers.Binary;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Protocol.Tests.Rtmp.Client.ScriptedServer;

namespace Srs.Protocol.Tests.Rtmp.Client;

/// <summary>The RTMP client against a scripted in-memory server: each step waits on data, never on time.</summary>
public class RtmpClientConnectionTests
{
    [Fact]
    public async Task Connect_SendsAppTcUrlAndChunkSize_ReturnsSuccess()
    {
        await using var server = new ScriptedServer(new RtmpClientOptions { ChunkSize = 5000 });
        await server.HandshakeAsync();

        var client = server.Client.ConnectAsync("live", "rtmp://127.0.0.1:1935/live");
        var chunkSize = await server.ReadMessageAsync();
        Assert.Equal(RtmpMessageType.SetChunkSize, chunkSize.TypeId);
        Assert.Equal(5000, server.Reader.ChunkSize);

        var connect = await server.ReadCommandAsync();
        Assert.Equal(CommandNames.Connect, connect.Name);
        Assert.Equal("live", connect.CommandProperties!.GetString("app"));
        Assert.Equal("rtmp://127.0.0.1:1935/live", connect.CommandProperties!.GetString("tcUrl"));
        await server.SendCommandAsync(ServerCommands.ConnectResult(connect.TransactionId, 0));

        var status = await Guard(client);
        Assert.Equal("NetConnection.Connect.Success", status.Code);
        Assert.False(status.IsError);
    }

    [Fact]
    public async Task Connect_Rejected_ThrowsStatusException()
    {
        await using var server = new ScriptedServer();
        await server.HandshakeAsync();

        var client = server.Client.ConnectAsync("live", "rtmp://127.0.0.1/live");
        var connect = await server.ReadCommandAsync();
        await server.SendCommandAsync(ServerCommands.Error(connect.TransactionId, "NetConnection.Connect.Rejected", "go away"));

        var e = await Assert.ThrowsAsync<RtmpStatusException>(() => Guard(client));
        Assert.Equal("NetConnection.Connect.Rejected", e.Status.Code);
        Assert.True(e.Status.IsError);
    }

    [Fact]
    public async Task CreateStream_ReturnsTheServersStreamId()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAndCreateStreamAsync(streamId: 7);
        Assert.Equal(7u, server.Client.StreamId);
    }

    [Fact]
    public async Task Publish_ReturnsPublishStart_ThenMetadataAndMediaArriveWithTimestamps()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAndCreateStreamAsync();

        var client = server.Client.PublishAsync("livestream");
        var publish = await server.ReadCommandAsync();
        Assert.Equal(CommandNames.Publish, publish.Name);
        Assert.Equal("livestream", publish.StringArgument(0));
        Assert.Equal("live", publish.StringArgument(1));
        // Notifications before the status must not complete the publish.
        await server.SendCommandAsync(ServerCommands.Notify(CommandNames.OnFCPublish, "NetStream.Publish.Start", "x"), 1);
        await server.SendStatusAsync(StatusLevels.Status, "NetStream.Publish.Start", "Started publishing stream.");
        Assert.Equal("NetStream.Publish.Start", (await Guard(client)).Code);

        await server.Client.SendMetaDataAsync(new Amf0Object().Add("width", 320.0).Add("height", 240.0));
        byte[] video = [0x17, 0x01, 0, 0, 0, 1, 2, 3];
        byte[] audio = [0xAF, 0x01, 9, 9];
        await server.Client.SendVideoAsync(40, video);
        await server.Client.SendAudioAsync(46, audio);

        var meta = await server.ReadNonControlMessageAsync();
        Assert.Equal(RtmpMessageType.DataAmf0, meta.TypeId);
        Assert.Equal(1u, meta.StreamId);
        Assert.True(DataMessages.TryGetMetaData(meta.Payload, out _));
        Assert.Equal(320.0, DataMessages.ReadMetaDataProperties(meta.Payload.Span)!.GetNumber("width"));

        var v = await server.ReadMessageAsync();
        Assert.Equal((RtmpMessageType.Video, 40u, 1u), (v.TypeId, v.Timestamp, v.StreamId));
        Assert.Equal(video, v.Payload.ToArray());
        var a = await server.ReadMessageAsync();
        Assert.Equal((RtmpMessageType.Audio, 46u, 1u), (a.TypeId, a.Timestamp, a.StreamId));
        Assert.Equal(audio, a.Payload.ToArray());
    }

    [Fact]
    public async Task Publish_BadName_ThrowsStatusException()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAndCreateStreamAsync();
        var statuses = new List<RtmpStatus>();
        server.Client.StatusReceived += statuses.Add;

        var client = server.Client.PublishAsync("busy");
        await server.ReadCommandAsync();
        await server.SendStatusAsync(StatusLevels.Error, "NetStream.Publish.BadName", "already published");
        await server.CloseAsync();

        var e = await Assert.ThrowsAsync<RtmpStatusException>(() => Guard(client));
        Assert.Equal("NetStream.Publish.BadName", e.Status.Code);
        await Guard(server.Client.Completion);
        Assert.Equal(["NetStream.Publish.BadName"], statuses.Select(s => s.Code));
    }

    [Fact]
    public async Task Play_ReturnsPlayStart_ThenMediaArrivesAcrossAChunkSizeChange()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAndCreateStreamAsync();

        var client = server.Client.PlayAsync("livestream");
        var play = await server.ReadCommandAsync();
        Assert.Equal(CommandNames.Play, play.Name);
        Assert.Equal("livestream", play.StringArgument(0));
        await server.SendUserControlAsync(new UserControlEvent(UserControlEvent.StreamBegin, 1));
        await server.SendStatusAsync(StatusLevels.Status, "NetStream.Play.Reset");
        await server.SendStatusAsync(StatusLevels.Status, "NetStream.Play.Start", "Started playing stream.");
        Assert.Equal("NetStream.Play.Start", (await Guard(client)).Code);

        var keyframe = new byte[10_000];
        new Random(1).NextBytes(keyframe);
        keyframe[0] = 0x17;
        await server.SetChunkSizeAsync(128);
        await server.SendMediaAsync(RtmpMessageType.Video, 0, keyframe);
        await server.SetChunkSizeAsync(4096);
        await server.SendMediaAsync(RtmpMessageType.Audio, 23, [0xAF, 0x01, 1]);
        await server.SendMediaAsync(RtmpMessageType.Video, 40, keyframe);
        await server.CloseAsync();

        var received = new List<RtmpMessage>();
        await foreach (var m in server.Client.ReadMediaAsync()) received.Add(m);

        Assert.Equal([(RtmpMessageType.Video, 0u), (RtmpMessageType.Audio, 23u), (RtmpMessageType.Video, 40u)],
            received.Select(m => (m.TypeId, m.Timestamp)));
        Assert.Equal(keyframe, received[0].Payload.ToArray());
        Assert.Equal(keyframe, received[2].Payload.ToArray());
    }

    [Fact]
    public async Task Play_ErrorStatus_ThrowsStatusException()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAndCreateStreamAsync();

        var client = server.Client.PlayAsync("missing");
        await server.ReadCommandAsync();
        await server.SendStatusAsync(StatusLevels.Error, "NetStream.Play.Failed", "refused by hook");

        var e = await Assert.ThrowsAsync<RtmpStatusException>(() => Guard(client));
        Assert.Equal("NetStream.Play.Failed", e.Status.Code);
    }

    [Fact]
    public async Task PingRequest_IsAnsweredWithPingResponse()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAsync();

        await server.SendUserControlAsync(new UserControlEvent(UserControlEvent.PingRequest, 123456));

        var reply = await server.ReadNonControlMessageAsync();
        Assert.Equal(RtmpMessageType.UserControl, reply.TypeId);
        Assert.Equal(new UserControlEvent(UserControlEvent.PingResponse, 123456), UserControlEvent.Parse(reply.Payload.Span));
    }

    [Fact]
    public async Task WindowAckSize_IsAcknowledgedOnceTheWindowHasArrived()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAsync();
        await server.SendWindowAckSizeAsync(1000);

        // Under the window: no acknowledgement, so the ping's answer is the next message.
        await server.SendMediaAsync(RtmpMessageType.Audio, 0, new byte[100]);
        await server.SendUserControlAsync(new UserControlEvent(UserControlEvent.PingRequest, 1));
        Assert.Equal(RtmpMessageType.UserControl, (await server.ReadNonControlMessageAsync()).TypeId);

        await server.SendMediaAsync(RtmpMessageType.Video, 0, new byte[3000]);
        var ack = await server.ReadNonControlMessageAsync();
        Assert.Equal(RtmpMessageType.Acknowledgement, ack.TypeId);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(ack.Payload.Span);
        Assert.InRange(sequence, 3073u + 1000u, (uint)server.BytesSent);
    }

    [Fact]
    public async Task ServerClosing_FailsThePendingRequest_WithIOException()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAsync();

        var client = server.Client.CreateStreamAsync();
        await server.ReadCommandAsync();
        await server.CloseAsync();

        await Assert.ThrowsAsync<IOException>(() => Guard(client));
        await Assert.ThrowsAsync<IOException>(() => server.Client.CreateStreamAsync());
    }

    [Fact]
    public async Task ProtocolViolation_FailsThePendingRequest_AndEndsTheMedia()
    {
        await using var server = new ScriptedServer();
        await server.ConnectAndCreateStreamAsync();

        var client = server.Client.PlayAsync("livestream");
        await server.ReadCommandAsync();
        // fmt 2 header on a chunk stream never used: no header to inherit from.
        await server.SendRawAsync([0x80 | 40, 0, 0, 0]);

        await Assert.ThrowsAsync<RtmpProtocolException>(() => Guard(client));
        await Assert.ThrowsAsync<RtmpProtocolException>(async () =>
        {
            await foreach (var _ in server.Client.ReadMediaAsync()) { }
        });
    }

    [Fact]
    public async Task Requests_BeforeTheirPrerequisites_AreRefused()
    {
        await using var server = new ScriptedServer();
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Client.ConnectAsync("live", "rtmp://h/live"));
        await server.ConnectAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Client.PublishAsync("s"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Client.SendVideoAsync(0, new byte[1]).AsTask());
    }
}
