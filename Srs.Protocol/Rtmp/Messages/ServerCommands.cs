using Srs.Protocol.Amf;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>Builders for the replies a server sends (payloads of AMF0 command messages).</summary>
/// <remarks>The property names, order and values mirror SRS, which players and encoders are tested against.</remarks>
public static class ServerCommands
{
    /// <summary>The Flash Media Server version clients expect to see (SRS sends the same).</summary>
    public const string FmsVersion = "3,5,3,888";

    private static readonly string ServerVersion =
        typeof(ServerCommands).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// _result for connect: fmsVer/capabilities, then level/code/description/objectEncoding
    /// (NetConnection.Connect.Success); <paramref name="capsEx"/>, when not 0, is the Enhanced RTMP
    /// capabilities this server grants the client (the bits it asked for that are supported).
    /// </summary>
    public static byte[] ConnectResult(double transactionId, double objectEncoding, int capsEx = 0)
    {
        var properties = new Amf0Object()
            .Add("fmsVer", "FMS/" + FmsVersion)
            .Add("capabilities", 127.0)
            .Add("mode", 1.0);
        if (capsEx != 0) properties.Add("capsEx", (double)capsEx);
        var data = new Amf0Object(isEcmaArray: true)
            .Add("version", FmsVersion)
            .Add("srs_sig", "SRS")
            .Add("srs_server", "SRS/" + ServerVersion + " (C#)")
            .Add("srs_version", ServerVersion);
        var info = Info(StatusLevels.Status, "NetConnection.Connect.Success", "Connection succeeded")
            .Add("objectEncoding", objectEncoding)
            .Add("data", data);
        return new RtmpCommand(CommandNames.Result, transactionId, properties, [info]).ToPayload();
    }

    /// <summary>_result with a null command object and one number argument (createStream's stream id, getStreamLength).</summary>
    public static byte[] Result(double transactionId, double value) =>
        new RtmpCommand(CommandNames.Result, transactionId, null, [value]).ToPayload();

    /// <summary>_result with null command object and an undefined argument (releaseStream, FCPublish).</summary>
    public static byte[] EmptyResult(double transactionId) =>
        new RtmpCommand(CommandNames.Result, transactionId, null, [Amf0Undefined.Instance]).ToPayload();

    /// <summary>_error with an info object (level error, code, description).</summary>
    public static byte[] Error(double transactionId, string code, string description) =>
        new RtmpCommand(CommandNames.Error, transactionId, null, [Info(StatusLevels.Error, code, description)]).ToPayload();

    /// <summary>onStatus, transaction 0, null command object, info object {level, code, description, details?, clientid?}.</summary>
    public static byte[] OnStatus(string level, string code, string description) =>
        OnStatus(level, code, description, clientId: null);

    /// <summary>onStatus with a clientid property when <paramref name="clientId"/> is given (SRS adds one to publish/play replies).</summary>
    public static byte[] OnStatus(string level, string code, string description, string? clientId)
    {
        var info = Info(level, code, description);
        if (clientId is not null) info.Add("clientid", clientId);
        return new RtmpCommand(CommandNames.OnStatus, 0, null, [info]).ToPayload();
    }

    /// <summary>onFCPublish / onFCUnpublish notification with {code, description}.</summary>
    public static byte[] Notify(string name, string code, string description) =>
        new RtmpCommand(name, 0, null, [new Amf0Object().Add("code", code).Add("description", description)]).ToPayload();

    /// <summary>onBWDone: sent after connect; some Flash-era clients wait for it before publishing.</summary>
    public static byte[] OnBWDone() =>
        new RtmpCommand(CommandNames.OnBWDone, 0, null, []).ToPayload();

    private static Amf0Object Info(string level, string code, string description) =>
        new Amf0Object().Add("level", level).Add("code", code).Add("description", description);
}
