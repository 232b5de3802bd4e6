namespace Srs.Protocol.Rtmp.Messages;

/// <summary>AMF0 data messages (type 18): metadata as published and as sent to players.</summary>
public static class DataMessages
{
    /// <summary>
    /// For "@setDataFrame", "onMetaData", {..} returns the payload without the "@setDataFrame"
    /// prefix (what players receive); for "onMetaData", {..} returns it as is; otherwise false.
    /// </summary>
    public static bool TryGetMetaData(ReadOnlyMemory<byte> payload, out ReadOnlyMemory<byte> metaData) => throw new NotImplementedException();

    /// <summary>The properties of an onMetaData payload (object or ECMA array), or null.</summary>
    public static Amf.Amf0Object? ReadMetaDataProperties(ReadOnlySpan<byte> metaData) => throw new NotImplementedException();
}
