using Srs.Actors.Media;

namespace Srs.Actors.Tests;

/// <summary>FLV-shaped payloads whose first bytes say what they are (AVC / AAC, as an encoder sends them).</summary>
internal static class Packets
{
    public static MediaPacket VideoHeader(uint ts = 0, int epoch = 1) => new(MediaKind.Video, ts, new byte[] { 0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1F }, epoch);
    public static MediaPacket Keyframe(uint ts, int epoch = 1) => new(MediaKind.Video, ts, new byte[] { 0x17, 0x01, 0, 0, 0, 0xAA }, epoch);
    public static MediaPacket Frame(uint ts, int epoch = 1) => new(MediaKind.Video, ts, new byte[] { 0x27, 0x01, 0, 0, 0, 0xBB }, epoch);
    public static MediaPacket AudioHeader(uint ts = 0, int epoch = 1) => new(MediaKind.Audio, ts, new byte[] { 0xAF, 0x00, 0x12, 0x10 }, epoch);
    public static MediaPacket Audio(uint ts, int epoch = 1) => new(MediaKind.Audio, ts, new byte[] { 0xAF, 0x01, 0x21 }, epoch);
}
