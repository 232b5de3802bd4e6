using System.Globalization;

namespace Srs.Bench.Server;

/// <summary>
/// How busy each core of the machine was over an interval (/proc/stat), and the load average:
/// with other work on the machine, a core's busy share minus what the server or the tool used is
/// the noise in that run.
/// </summary>
public sealed class MachineLoad
{
    private readonly Dictionary<string, (long Busy, long Total)> _start = Read();

    /// <summary>Busy percent per core ("cpu0" ...) since this object was made.</summary>
    public IReadOnlyDictionary<string, double> BusyPercent()
    {
        var now = Read();
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (cpu, (busy, total)) in now)
        {
            if (!_start.TryGetValue(cpu, out var s) || total == s.Total) continue;
            result[cpu] = 100.0 * (busy - s.Busy) / (total - s.Total);
        }
        return result;
    }

    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "na"; }
    }

    /// <summary>The 1, 5 and 15 minute load averages, "0.48 1.95 1.68".</summary>
    public static string LoadAverages()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "na"; }
    }

    private static Dictionary<string, (long, long)> Read()
    {
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.StartsWith("cpu ", StringComparison.Ordinal)) continue;
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var v = f.Skip(1).Take(8).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                var idle = v[3] + v[4]; // idle + iowait
                result[f[0]] = (v.Sum() - idle, v.Sum());
            }
        }
        catch (IOException) { }
        return result;
    }
}
