namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>The chunk stream ids this server sends on (the ones SRS uses).</summary>
public static class ChunkStreams
{
    public const int ProtocolControl = 2;
    public const int OverConnection = 3;
    public const int OverStream = 5;
    public const int Video = 6;
    public const int Audio = 7;
    public const int Data = 8;
}
