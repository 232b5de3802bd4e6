using System.Numerics;

namespace Srs.Bench.Play;

/// <summary>
/// A lock-free log-linear histogram of durations in microseconds (1 µs resolution below 2 ms,
/// then 1,024 buckets per power of two: under 0.1% relative error), for millions of samples
/// without keeping them. Recording is one Interlocked increment.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 10;
    private const int Linear = 1 << (SubBits + 1);
    private const int MaxShift = 40;

    private readonly long[] _counts = new long[(MaxShift + 2) << SubBits];
    private long _count;
    private long _sumMicros;
    private long _maxMicros;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, micros);
        var max = Volatile.Read(ref _maxMicros);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxMicros, micros, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>Milliseconds at the percentile (nearest rank, the bucket's lower bound), NaN when empty.</summary>
    public double PercentileMs(double percentile)
    {
        var count = Count;
        if (count == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return Math.Min(ValueOf(i), MaxMs * 1000) / 1000.0;
        }
        return MaxMs;
    }

    public double MaxMs => Volatile.Read(ref _maxMicros) / 1000.0;

    public double MeanMs => Count == 0 ? double.NaN : Interlocked.Read(ref _sumMicros) / 1000.0 / Count;

    private static int Index(long v)
    {
        if (v < Linear) return (int)v;
        var shift = Math.Min(63 - BitOperations.LeadingZeroCount((ulong)v) - SubBits, MaxShift);
        var sub = (int)Math.Min(v >> shift, (2 << SubBits) - 1);
        return ((shift + 1) << SubBits) + sub - (1 << SubBits);
    }

    private static double ValueOf(int index)
    {
        if (index < Linear) return index;
        var shift = (index >> SubBits) - 1;
        var sub = (index & ((1 << SubBits) - 1)) + (1 << SubBits);
        return (double)sub * (1L << shift);
    }
}
