namespace Srs.Protocol.Rtmp.Messages;

/// <summary>Values of the "level" property of onStatus and _error info objects.</summary>
public static class StatusLevels
{
    public const string Status = "status";
    public const string Error = "error";
    public const string Warning = "warning";
}
