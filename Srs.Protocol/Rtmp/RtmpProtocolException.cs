namespace Srs.Protocol.Rtmp;

/// <summary>
/// The peer broke the protocol or a limit. The connection that raised it is closed with
/// <see cref="Exception.Message"/> as the logged reason; no other client is affected.
/// </summary>
public sealed class RtmpProtocolException(string message) : Exception(message);
