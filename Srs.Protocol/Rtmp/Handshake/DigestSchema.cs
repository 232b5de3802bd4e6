namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>
/// Where a C1/S1 keeps its 32-byte digest. Each schema names the 4 bytes whose sum picks the
/// digest offset. Numbered as in ffmpeg/librtmp; SRS calls these the other way round
/// (its schema0 "key-digest" is <see cref="Schema1"/> here).
/// </summary>
internal enum DigestSchema
{
    /// <summary>Digest block first: offset bytes at 8..11, digest within 12..771 (ffmpeg's client uses this).</summary>
    Schema0,

    /// <summary>Key block first: offset bytes at 772..775, digest within 776..1535.</summary>
    Schema1,
}
