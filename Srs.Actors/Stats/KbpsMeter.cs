namespace Srs.Actors.Stats;

/// <summary>Average bitrate over the last sampling interval (about 10 s), from a growing byte counter.</summary>
public sealed class KbpsMeter
{
    private readonly object _gate = new();
    private long _lastBytes;
    private long _lastTicks = Environment.TickCount64;
    private int _kbps;

    public int Kbps(long totalBytes)
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            var elapsed = now - _lastTicks;
            if (elapsed >= 1000)
            {
                _kbps = (int)((totalBytes - _lastBytes) * 8 / elapsed);
                if (elapsed >= 10_000) { _lastBytes = totalBytes; _lastTicks = now; }
            }
            return _kbps;
        }
    }
}
