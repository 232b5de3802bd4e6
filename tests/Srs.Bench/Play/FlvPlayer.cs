using System.Net.Sockets;
using System.Text;
using Srs.Protocol.Rtmp;

namespace Srs.Bench.Play;

/// <summary>
/// An HTTP-FLV player: GET /app/stream.flv over HTTP/1.1, then the FLV body (chunked transfer
/// coding or not) parsed in place: tags counted, the head of each video tag read for its stamp.
/// </summary>
public sealed class FlvPlayer(PlayerStats stats, PlayContext context, string host, string path)
    : MediaPlayer(stats, context)
{
    private const int FileHeaderBytes = 13; // "FLV", version, flags, header size 9, PreviousTagSize0
    private const int TagHeaderBytes = 11;

    // HTTP chunked transfer coding.
    private bool _chunked;
    private long _httpChunkLeft;
    private int _crlfLeft;
    private long _sizeLine;
    private bool _sizeDigits;
    private bool _sizeExtension;

    // FLV tags.
    private int _skip = FileHeaderBytes;
    private readonly byte[] _tagHeader = new byte[TagHeaderBytes];
    private int _tagHeaderFilled;
    private byte _tagType;
    private int _tagLeft;
    private int _tagRead;
    private readonly byte[] _videoHead = new byte[RtmpChunkParser.VideoHeadBytes];
    private int _videoHeadLimit;

    protected override async Task PlayAsync()
    {
        var request = Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Srs.Bench\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
        await Socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);

        // The response header: read until the blank line.
        var filled = 0;
        int bodyStart;
        while (true)
        {
            var n = await Socket.ReceiveAsync(Buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
            if (n == 0) Fail("the server closed the connection before answering");
            filled += n;
            CountBytes(n);
            var end = Buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                bodyStart = end + 4;
                break;
            }
            if (filled == Buffer.Length) Fail("response header larger than the receive buffer");
        }

        var header = Encoding.ASCII.GetString(Buffer, 0, bodyStart);
        var statusLine = header[..header.IndexOf('\r')];
        if (!statusLine.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && !statusLine.StartsWith("HTTP/1.0 200", StringComparison.Ordinal))
            Fail("HTTP " + statusLine);
        _chunked = header.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase);
        OnPlayStarted();
        Feed(Buffer.AsSpan(bodyStart, filled - bodyStart));

        var memory = Buffer.AsMemory();
        while (true)
        {
            var n = await Socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                if (!Stats.Closing) Fail("the server closed the connection");
                return;
            }
            CountBytes(n);
            Feed(Buffer.AsSpan(0, n));
            AfterRead();
        }
    }

    private void Feed(ReadOnlySpan<byte> data)
    {
        if (!_chunked)
        {
            FeedFlv(data);
            return;
        }

        while (data.Length > 0)
        {
            if (_httpChunkLeft > 0)
            {
                var n = (int)Math.Min(_httpChunkLeft, data.Length);
                FeedFlv(data[..n]);
                _httpChunkLeft -= n;
                data = data[n..];
                if (_httpChunkLeft == 0) _crlfLeft = 2;
                continue;
            }
            if (_crlfLeft > 0)
            {
                var n = Math.Min(_crlfLeft, data.Length);
                _crlfLeft -= n;
                data = data[n..];
                continue;
            }

            // The chunk-size line: hex digits, maybe ";extension", CRLF.
            var b = data[0];
            data = data[1..];
            if (b == '\n')
            {
                if (!_sizeDigits) continue;
                if (_sizeLine == 0) Fail("the server ended the response");
                _httpChunkLeft = _sizeLine;
                _sizeLine = 0;
                _sizeDigits = _sizeExtension = false;
            }
            else if (b == ';') _sizeExtension = true;
            else if (!_sizeExtension && HexValue(b) is var v and >= 0)
            {
                _sizeLine = (_sizeLine << 4) | (uint)v;
                _sizeDigits = true;
            }
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private void FeedFlv(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            if (_skip > 0)
            {
                var n = Math.Min(_skip, data.Length);
                if (_skip == FileHeaderBytes && (data[0] != 'F' || (n > 1 && data[1] != 'L'))) Fail("not an FLV body");
                _skip -= n;
                data = data[n..];
                continue;
            }

            if (_tagLeft > 0)
            {
                var n = Math.Min(_tagLeft, data.Length);
                if (_tagRead < _videoHeadLimit)
                {
                    var keep = Math.Min(n, _videoHeadLimit - _tagRead);
                    data[..keep].CopyTo(_videoHead.AsSpan(_tagRead));
                }
                _tagRead += n;
                _tagLeft -= n;
                data = data[n..];
                if (_tagLeft == 0) EndTag();
                continue;
            }

            var take = Math.Min(TagHeaderBytes - _tagHeaderFilled, data.Length);
            data[..take].CopyTo(_tagHeader.AsSpan(_tagHeaderFilled));
            _tagHeaderFilled += take;
            data = data[take..];
            if (_tagHeaderFilled < TagHeaderBytes) continue;

            _tagHeaderFilled = 0;
            _tagType = (byte)(_tagHeader[0] & 0x1F);
            _tagLeft = (_tagHeader[1] << 16) | (_tagHeader[2] << 8) | _tagHeader[3];
            _tagRead = 0;
            _videoHeadLimit = _tagType == RtmpMessageType.Video ? Math.Min(_tagLeft, _videoHead.Length) : 0;
            if (_tagLeft == 0) EndTag();
        }
    }

    private void EndTag()
    {
        if (_tagType == RtmpMessageType.Video) OnVideo(_videoHead.AsSpan(0, _videoHeadLimit));
        else if (_tagType == RtmpMessageType.Audio) OnAudio();
        _skip = 4; // PreviousTagSize
    }
}
