using System.Buffers;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Protocol.Rtmp.Client;

/// <summary>Payloads of the commands and data messages a client sends (what ffmpeg sends, in the same shapes).</summary>
public static class ClientCommands
{
    /// <summary>connect with app, flashVer, tcUrl and the capability numbers ffmpeg announces.</summary>
    /// <param name="capsEx">Enhanced RTMP capabilities to advertise (<see cref="ReconnectRequest.CapsExReconnect"/>); 0 sends none.</param>
    public static byte[] Connect(double transactionId, string app, string tcUrl, string flashVersion, int capsEx = 0)
    {
        var properties = new Amf0Object()
            .Add("app", app)
            .Add("type", "nonprivate")
            .Add("flashVer", flashVersion)
            .Add("tcUrl", tcUrl)
            .Add("fpad", false)
            .Add("capabilities", 15.0)
            .Add("audioCodecs", 4071.0)
            .Add("videoCodecs", 252.0)
            .Add("videoFunction", 1.0)
            .Add("objectEncoding", 0.0);
        if (capsEx != 0) properties.Add("capsEx", (double)capsEx);
        return new RtmpCommand(CommandNames.Connect, transactionId, properties, []).ToPayload();
    }

    public static byte[] CreateStream(double transactionId) =>
        new RtmpCommand(CommandNames.CreateStream, transactionId, null, []).ToPayload();

    /// <summary>publish(name, type) with transaction 0; answered by onStatus.</summary>
    public static byte[] Publish(string streamName, string publishType = "live") =>
        new RtmpCommand(CommandNames.Publish, 0, null, [streamName, publishType]).ToPayload();

    /// <summary>play(name, start) with transaction 0; start -2 is "live, or recorded if there is no live stream".</summary>
    public static byte[] Play(string streamName, double start = -2) =>
        new RtmpCommand(CommandNames.Play, 0, null, [streamName, start]).ToPayload();

    public static byte[] DeleteStream(uint streamId) =>
        new RtmpCommand(CommandNames.DeleteStream, 0, null, [(double)streamId]).ToPayload();

    /// <summary>The data message a publisher sends for metadata: "@setDataFrame", "onMetaData", ECMA array.</summary>
    public static byte[] SetDataFrame(Amf0Object metaData)
    {
        var properties = metaData.IsEcmaArray ? metaData : CopyAsEcmaArray(metaData);
        var output = new ArrayBufferWriter<byte>(256);
        Amf0Writer.WriteString(output, CommandNames.SetDataFrame);
        Amf0Writer.WriteString(output, CommandNames.OnMetaData);
        Amf0Writer.WriteValue(output, properties);
        return output.WrittenSpan.ToArray();
    }

    private static Amf0Object CopyAsEcmaArray(Amf0Object source)
    {
        var copy = new Amf0Object(isEcmaArray: true);
        foreach (var (key, value) in source) copy.Add(key, value);
        return copy;
    }
}
