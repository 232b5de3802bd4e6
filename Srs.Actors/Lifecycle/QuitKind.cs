namespace Srs.Actors.Lifecycle;

/// <summary>How the node quits: graceful waits for clients to end on their own; fast closes them.</summary>
public enum QuitKind
{
    Graceful,
    Fast,
}
