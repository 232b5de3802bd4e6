namespace Srs.Actors.Lifecycle;

/// <summary>What a quit request did, given the quit already under way (docs/operations.md, Signals).</summary>
public enum QuitOutcome
{
    /// <summary>No quit was running: this one started.</summary>
    Started,
    /// <summary>A graceful quit was running and turned fast.</summary>
    TurnedFast,
    /// <summary>Nothing changed (a repeated graceful request, or any request during a fast quit).</summary>
    Ignored,
}
