using System.Diagnostics;

namespace Srs.Integration.Tests.Harness;

/// <summary>The last lines a process printed (stdout and stderr interleaved), each with its time since start.</summary>
public sealed class LineLog(int capacity = 400)
{
    private readonly Queue<string> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _total;

    public long TotalLines => Interlocked.Read(ref _total);

    public void Add(string stream, string line)
    {
        var stamped = $"[{_clock.Elapsed.TotalSeconds,7:0.000} {stream}] {line}";
        lock (_lines)
        {
            _lines.Enqueue(stamped);
            while (_lines.Count > capacity) _lines.Dequeue();
            _total++;
        }
    }

    public bool Contains(string text)
    {
        lock (_lines) return _lines.Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));
    }

    public string Tail(int lines = 120)
    {
        lock (_lines)
        {
            var skipped = Math.Max(0, _lines.Count - lines);
            var head = _total > lines ? $"({_total - lines} earlier lines not shown)\n" : "";
            return head + string.Join('\n', _lines.Skip(skipped));
        }
    }
}
