using Srs.Protocol.Amf;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>AMF0 data messages (type 18): metadata as published and as sent to players.</summary>
/// <remarks>Both methods read untrusted payloads and report malformed ones as false/null, never by throwing.</remarks>
public static class DataMessages
{
    /// <summary>
    /// For "@setDataFrame", "onMetaData", {..} returns the payload without the "@setDataFrame"
    /// prefix (what players receive); for "onMetaData", {..} returns it as is; otherwise false.
    /// </summary>
    /// <remarks>
    /// The result is a slice of <paramref name="payload"/>, not a copy. It is returned only when the
    /// properties after "onMetaData" parse, so players are never sent metadata they cannot read.
    /// </remarks>
    public static bool TryGetMetaData(ReadOnlyMemory<byte> payload, out ReadOnlyMemory<byte> metaData)
    {
        metaData = default;
        try
        {
            var reader = new Amf0Reader(payload.Span);
            if (reader.ReadValue() is not string name) return false;
            var candidate = name switch
            {
                CommandNames.SetDataFrame => payload[reader.Position..],
                CommandNames.OnMetaData => payload,
                _ => ReadOnlyMemory<byte>.Empty,
            };
            if (candidate.IsEmpty) return false;
            if (ReadProperties(candidate.Span) is null) return false;
            metaData = candidate;
            return true;
        }
        catch (RtmpProtocolException)
        {
            return false;
        }
    }

    /// <summary>The properties of an onMetaData payload (object or ECMA array), or null.</summary>
    /// <remarks>An "@setDataFrame" prefix is skipped, so the published payload works too.</remarks>
    public static Amf0Object? ReadMetaDataProperties(ReadOnlySpan<byte> metaData)
    {
        try
        {
            var reader = new Amf0Reader(metaData);
            if (reader.ReadValue() is not string name) return null;
            return name switch
            {
                CommandNames.OnMetaData => ReadObject(ref reader),
                CommandNames.SetDataFrame => ReadProperties(reader.Remaining),
                _ => null,
            };
        }
        catch (RtmpProtocolException)
        {
            return null;
        }
    }

    /// <summary>"onMetaData" then an object or ECMA array; throws on malformed AMF.</summary>
    private static Amf0Object? ReadProperties(ReadOnlySpan<byte> onMetaData)
    {
        var reader = new Amf0Reader(onMetaData);
        return reader.ReadValue() is CommandNames.OnMetaData ? ReadObject(ref reader) : null;
    }

    private static Amf0Object? ReadObject(ref Amf0Reader reader) =>
        reader.End ? null : reader.ReadValue() as Amf0Object;
}
