using System.Buffers;
using Srs.Actors.Media;
using Srs.Actors.Rtmp;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Actors.Tests.Edge;

public class RtmpMediaTests
{
    private static List<MediaPacket> Convert(RtmpMessage m)
    {
        var list = new List<MediaPacket>();
        RtmpMedia.ToPackets(m, 7, list);
        return list;
    }

    [Fact]
    public void AudioAndVideo_KeepKindTimestampAndPayload_WithTheEpoch()
    {
        var video = Convert(new RtmpMessage(6, RtmpMessageType.Video, 40, 1, new byte[] { 0x17, 0x01, 0, 0, 0, 0xAA })).Single();
        Assert.Equal((MediaKind.Video, 40u, 7, true), (video.Kind, video.Timestamp, video.Epoch, video.IsKeyframe));
        Assert.Equal(MediaKind.Audio, Convert(new RtmpMessage(7, RtmpMessageType.Audio, 41, 1, new byte[] { 0xAF, 0x01, 0x21 })).Single().Kind);
        Assert.Empty(Convert(new RtmpMessage(7, RtmpMessageType.Audio, 41, 1, Array.Empty<byte>())));
    }

    [Fact]
    public void SetDataFrame_BecomesTheOnMetaDataPlayersGet_OtherDataIsDropped()
    {
        var published = ClientCommands.SetDataFrame(new Amf0Object().Add("width", 320.0));
        var meta = Convert(new RtmpMessage(8, RtmpMessageType.DataAmf0, 0, 1, published)).Single();
        Assert.Equal(MediaKind.Script, meta.Kind);
        Assert.Equal("onMetaData", new Amf0Reader(meta.Payload.Span).ReadValue());

        var w = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteValue(w, "|RtmpSampleAccess");
        Amf0Writer.WriteValue(w, false);
        Assert.Empty(Convert(new RtmpMessage(8, RtmpMessageType.DataAmf0, 0, 1, w.WrittenSpan.ToArray())));
    }

    [Fact]
    public void Aggregate_IsSplitIntoItsTags_WithTimestampsRelativeToTheMessage()
    {
        static byte[] Tag(byte type, uint ts, byte[] body)
        {
            var t = new byte[11 + body.Length + 4];
            t[0] = type;
            t[1] = (byte)(body.Length >> 16); t[2] = (byte)(body.Length >> 8); t[3] = (byte)body.Length;
            t[4] = (byte)(ts >> 16); t[5] = (byte)(ts >> 8); t[6] = (byte)ts; t[7] = (byte)(ts >> 24);
            body.CopyTo(t, 11);
            return t;
        }
        var payload = Tag(RtmpMessageType.Video, 5000, [0x17, 0x01, 0, 0, 0, 1]).Concat(Tag(RtmpMessageType.Audio, 5020, [0xAF, 0x01, 2])).ToArray();
        var packets = Convert(new RtmpMessage(6, RtmpMessageType.Aggregate, 100, 1, payload));
        Assert.Equal([(MediaKind.Video, 100u), (MediaKind.Audio, 120u)], packets.Select(p => (p.Kind, p.Timestamp)));
    }
}
