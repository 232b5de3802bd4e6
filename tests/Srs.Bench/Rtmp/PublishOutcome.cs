namespace Srs.Bench.Rtmp;

/// <summary>How one publisher's run went.</summary>
/// <param name="Error">Null when it published for its whole duration; else why not (status code or transport error).</param>
/// <param name="Setup">TCP connect to NetStream.Publish.Start.</param>
public sealed record PublishOutcome(string Stream, string? Error, TimeSpan Setup, long Frames, long Bytes, TimeSpan Elapsed)
{
    public bool Ok => Error is null;
}
