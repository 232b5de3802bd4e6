namespace Srs.Protocol.Rtmp.Client;

/// <summary>The server answered a request with an error status (e.g. NetStream.Publish.BadName, NetConnection.Connect.Rejected).</summary>
public sealed class RtmpStatusException(RtmpStatus status) : Exception($"{status.Code}: {status.Description}")
{
    public RtmpStatus Status { get; } = status;
}
