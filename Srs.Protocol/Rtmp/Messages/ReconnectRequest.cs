using Srs.Protocol.Amf;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>
/// Enhanced RTMP v2's reconnect request: a server asks a client to reconnect (to the tcUrl it
/// names, else to the one it connected with) and may move it elsewhere, for an upgrade or a
/// rebalance. The client finishes sending up to a media boundary (a keyframe), connects anew,
/// then leaves the old connection. A client says it honours the request with the Reconnect bit of
/// <c>capsEx</c> in connect; the server echoes the bit in its _result.
/// </summary>
public static class ReconnectRequest
{
    public const string Code = "NetConnection.Connect.ReconnectRequest";

    /// <summary>The capsEx bit (CapsExMask.Reconnect) of a client that honours the request.</summary>
    public const int CapsExReconnect = 0x01;

    /// <summary>Whether a connect command object advertises the reconnect capability.</summary>
    public static bool Advertised(Amf0Object connect) =>
        connect.GetNumber("capsEx") is { } caps && ((long)caps & CapsExReconnect) != 0;

    /// <summary>The request: onStatus on the NetConnection, transaction 0, null command object, info {level, code, description, tcUrl?}.</summary>
    public static byte[] Build(string? tcUrl, string description)
    {
        var info = new Amf0Object()
            .Add("level", StatusLevels.Status)
            .Add("code", Code)
            .Add("description", description);
        if (tcUrl is not null) info.Add("tcUrl", tcUrl);
        return new RtmpCommand(CommandNames.OnStatus, 0, null, [info]).ToPayload();
    }
}
