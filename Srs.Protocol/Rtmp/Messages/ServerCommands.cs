namespace Srs.Protocol.Rtmp.Messages;

/// <summary>Builders for the replies a server sends (payloads of AMF0 command messages).</summary>
public static class ServerCommands
{
    /// <summary>_result for connect: fmsVer/capabilities, then level/code/description/objectEncoding (NetConnection.Connect.Success).</summary>
    public static byte[] ConnectResult(double transactionId, double objectEncoding) => throw new NotImplementedException();

    /// <summary>_result with a null command object and one number argument (createStream's stream id, getStreamLength).</summary>
    public static byte[] Result(double transactionId, double value) => throw new NotImplementedException();

    /// <summary>_result with null command object and an undefined argument (releaseStream, FCPublish).</summary>
    public static byte[] EmptyResult(double transactionId) => throw new NotImplementedException();

    /// <summary>_error with an info object (level error, code, description).</summary>
    public static byte[] Error(double transactionId, string code, string description) => throw new NotImplementedException();

    /// <summary>onStatus, transaction 0, null command object, info object {level, code, description, details?, clientid?}.</summary>
    public static byte[] OnStatus(string level, string code, string description) => throw new NotImplementedException();

    /// <summary>onFCPublish / onFCUnpublish notification with {code, description}.</summary>
    public static byte[] Notify(string name, string code, string description) => throw new NotImplementedException();
}
