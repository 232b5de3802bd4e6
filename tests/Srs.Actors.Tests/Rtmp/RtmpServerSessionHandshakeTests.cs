using System.Buffers;
using System.IO.Pipelines;
using Akka.Actor;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Hooks;
using Srs.Actors.Rtmp;
using Srs.Actors.Stats;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Client;
using Srs.Protocol.Rtmp.Handshake;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Actors.Tests.Rtmp;

public class RtmpServerSessionHandshakeTests
{
    /// <summary>
    /// A client that sends connect in the same write as C2 (as a fast client on a busy server
    /// does) must get its _result: the bytes after C2 must not be left "examined" in the pipe.
    /// </summary>
    [Fact]
    public async Task ConnectArrivingWithC2_IsAnswered()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var settings = new SrsSettings();
        var stats = new ServerStats();
        var session = new RtmpServerSession(toServer.Reader, toClient.Writer, new ClientStats("1", "test"),
            ActorRefs.Nobody, ActorRefs.Nobody, settings, stats, new HttpHooks(new HookSettings()), NoLogger.Instance);
        var run = session.RunAsync();

        var handshake = new HandshakeClient();
        handshake.WriteC0C1(toServer.Writer);
        await toServer.Writer.FlushAsync();
        while (true)
        {
            var result = await toClient.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            var buffer = result.Buffer;
            // C2 goes into the pipe unflushed; connect follows it, then one flush sends both.
            var done = handshake.TryAdvance(ref buffer, toServer.Writer);
            toClient.Reader.AdvanceTo(buffer.Start, done ? buffer.Start : buffer.End);
            if (done) break;
        }

        var chunks = new ChunkWriter();
        chunks.Write(toServer.Writer, ChunkStreams.OverConnection, RtmpMessageType.CommandAmf0, 0, 0,
            ClientCommands.Connect(1, "live", "rtmp://127.0.0.1/live", "test"));
        await toServer.Writer.FlushAsync();

        var reader = new ChunkReader();
        RtmpCommand? reply = null;
        while (reply is null)
        {
            var result = await toClient.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            var buffer = result.Buffer;
            while (reply is null && reader.TryReadMessage(ref buffer, out var message))
                if (message.TypeId == RtmpMessageType.CommandAmf0) reply = RtmpCommand.Parse(message.Payload.Span);
            toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(result.IsCompleted && reply is null, "the server closed without answering connect");
        }

        Assert.Equal(CommandNames.Result, reply.Name);
        session.Close("test over");
        await run.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
