namespace Srs.Actors.Streams;

/// <summary>
/// On the actor system's event stream: a source on this node gained or lost its publisher. The
/// cluster directory announces an origin's published streams from these.
/// </summary>
public sealed record StreamPublishState(StreamKey Key, bool Publishing);
