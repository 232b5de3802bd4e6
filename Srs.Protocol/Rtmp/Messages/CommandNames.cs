namespace Srs.Protocol.Rtmp.Messages;

public static class CommandNames
{
    public const string Connect = "connect";
    public const string CreateStream = "createStream";
    public const string ReleaseStream = "releaseStream";
    public const string FCPublish = "FCPublish";
    public const string FCUnpublish = "FCUnpublish";
    public const string Publish = "publish";
    public const string Play = "play";
    public const string Pause = "pause";
    public const string DeleteStream = "deleteStream";
    public const string CloseStream = "closeStream";
    public const string GetStreamLength = "getStreamLength";
    public const string Result = "_result";
    public const string Error = "_error";
    public const string OnStatus = "onStatus";
    public const string OnBWDone = "onBWDone";
    public const string OnFCPublish = "onFCPublish";
    public const string OnFCUnpublish = "onFCUnpublish";
    public const string SetDataFrame = "@setDataFrame";
    public const string OnMetaData = "onMetaData";
}
