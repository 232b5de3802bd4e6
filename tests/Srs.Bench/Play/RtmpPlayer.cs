using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Client;
using Srs.Protocol.Rtmp.Handshake;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Bench.Play;

/// <summary>
/// An RTMP player built from the project's protocol pieces: <see cref="HandshakeClient"/> (digest,
/// as ffmpeg), <see cref="ChunkWriter"/> and <see cref="ClientCommands"/> for connect, createStream
/// and play; received chunks go through <see cref="RtmpChunkParser"/>, which does not reassemble
/// media. It answers Ping Requests and acknowledges the server's window, like a real player.
/// </summary>
public sealed class RtmpPlayer(PlayerStats stats, PlayContext context, RtmpUrl url, bool digestHandshake = true)
    : MediaPlayer(stats, context), IRtmpMessageSink
{
    private const string FlashVersion = "LNX 9,0,124,2";

    private readonly ArrayBufferWriter<byte> _out = new(4096);
    private readonly ChunkWriter _writer = new();
    private RtmpChunkParser? _parser;
    private uint _streamId;
    private uint _windowAckSize;
    private long _received;
    private long _ackedAt;

    protected override async Task PlayAsync()
    {
        var handshake = new HandshakeClient(digestHandshake);
        handshake.WriteC0C1(_out);
        await FlushAsync().ConfigureAwait(false);

        var filled = 0;
        ReadOnlySequence<byte> rest;
        while (true)
        {
            var n = await Socket.ReceiveAsync(Buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
            if (n == 0) Fail("the server closed the connection during the handshake");
            filled += n;
            CountBytes(n);
            rest = new ReadOnlySequence<byte>(Buffer, 0, filled);
            if (handshake.TryAdvance(ref rest, _out)) break;
            if (filled == Buffer.Length) Fail("handshake larger than the receive buffer");
        }

        _received = filled;
        _ackedAt = filled;
        // C2 and connect in one send.
        _writer.Write(_out, ChunkStreams.OverConnection, RtmpMessageType.CommandAmf0, 0, 0,
            ClientCommands.Connect(1, url.App, url.TcUrl, FlashVersion));
        await FlushAsync().ConfigureAwait(false);

        _parser = new RtmpChunkParser(this);
        // Whatever followed S2 in the same read belongs to the chunk stream.
        _parser.Feed(rest.FirstSpan);
        if (_out.WrittenCount > 0) await FlushAsync().ConfigureAwait(false);

        var memory = Buffer.AsMemory();
        while (true)
        {
            var n = await Socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                if (!Stats.Closing) Fail(Stats.PlayStarted == 0 ? "the server closed the connection before play" : "the server closed the connection");
                return;
            }
            CountBytes(n);
            _received += n;
            _parser.Feed(Buffer.AsSpan(0, n));
            if (_windowAckSize > 0 && _received - _ackedAt >= _windowAckSize)
            {
                _ackedAt = _received;
                ProtocolControl.WriteAcknowledgement(_writer, _out, unchecked((uint)_received));
            }
            if (_out.WrittenCount > 0) await FlushAsync().ConfigureAwait(false);
            AfterRead();
        }
    }

    /// <summary>deleteStream, as a player that stops cleanly sends it (churn's graceful leavers).</summary>
    public async Task DeleteStreamAsync()
    {
        if (_streamId == 0 || Stats.Ended) return;
        try
        {
            var output = new ArrayBufferWriter<byte>(64);
            lock (_writer) _writer.Write(output, ChunkStreams.OverConnection, RtmpMessageType.CommandAmf0, 0, 0, ClientCommands.DeleteStream(_streamId));
            await Socket.SendAsync(output.WrittenMemory, SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private async ValueTask FlushAsync()
    {
        await Socket.SendAsync(_out.WrittenMemory, SocketFlags.None).ConfigureAwait(false);
        _out.ResetWrittenCount();
    }

    public void OnMessage(byte typeId, uint timestamp, int length, ReadOnlySpan<byte> head)
    {
        switch (typeId)
        {
            case RtmpMessageType.Video:
                OnVideo(head);
                break;
            case RtmpMessageType.Audio:
                OnAudio();
                break;
            case RtmpMessageType.WindowAckSize:
                if (head.Length >= 4) _windowAckSize = BinaryPrimitives.ReadUInt32BigEndian(head);
                break;
            case RtmpMessageType.UserControl:
                if (head.Length >= 6 && BinaryPrimitives.ReadUInt16BigEndian(head) == UserControlEvent.PingRequest)
                {
                    var pong = new UserControlEvent(UserControlEvent.PingResponse, BinaryPrimitives.ReadUInt32BigEndian(head[2..]));
                    ProtocolControl.WriteUserControl(_writer, _out, pong);
                }
                break;
            case RtmpMessageType.CommandAmf0:
                OnCommand(RtmpCommand.Parse(head));
                break;
            case RtmpMessageType.CommandAmf3:
                OnCommand(RtmpCommand.Parse(head[Math.Min(1, head.Length)..]));
                break;
        }
    }

    private void OnCommand(RtmpCommand command)
    {
        switch (command.Name)
        {
            case CommandNames.Result when command.TransactionId == 1:
                _writer.Write(_out, ChunkStreams.OverConnection, RtmpMessageType.CommandAmf0, 0, 0, ClientCommands.CreateStream(2));
                break;
            case CommandNames.Result when command.TransactionId == 2:
                _streamId = (uint)(command.NumberArgument(0) ?? 1);
                _writer.Write(_out, ChunkStreams.OverStream, RtmpMessageType.CommandAmf0, 0, _streamId, ClientCommands.Play(url.Stream));
                // What ffmpeg sends after play: a 3 s buffer.
                ProtocolControl.WriteUserControl(_writer, _out, new UserControlEvent(UserControlEvent.SetBufferLength, _streamId, 3000));
                break;
            case CommandNames.Error:
                Fail("refused: " + (RtmpStatus.FromCommand(command)?.Code ?? command.ToString()));
                break;
            case CommandNames.OnStatus:
                var status = RtmpStatus.FromCommand(command);
                if (status is null) break;
                if (status.IsError) Fail(status.Code);
                else if (status.Code == "NetStream.Play.Start" && Stats.PlayStarted == 0) OnPlayStarted();
                break;
        }
    }
}
