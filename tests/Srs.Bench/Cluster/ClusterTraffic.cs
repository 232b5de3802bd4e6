using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Srs.Bench.Cluster;

/// <summary>Bytes each node received and sent on cluster connections since the counter began, at one moment.</summary>
public sealed record TrafficReading(long Timestamp, long[] Received, long[] Sent);

/// <summary>
/// Cluster-port traffic per node from the kernel's TCP counters: <c>ss -tinHO</c> lists every
/// established socket with a cluster port at either end, with its <c>bytes_received</c> and
/// <c>bytes_acked</c>. A socket whose local port is a node's cluster port is that node's (an
/// inbound connection); the others (outbound, from an ephemeral port) are matched to their
/// process once with <c>ss -p</c>, which reads every process's descriptors and is too slow to run
/// on each reading. Counts accumulate as per-socket differences between readings, so a connection
/// that closes loses only what it carried since the last reading.
/// </summary>
public sealed partial class ClusterTraffic
{
    private readonly IReadOnlyList<ClusterNode> _nodes;
    private readonly string _filter;
    private readonly Dictionary<int, int> _portOwner = new();
    private readonly Dictionary<string, int> _owner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Received, long Acked)> _last = new(StringComparer.Ordinal);
    private readonly long[] _received;
    private readonly long[] _sent;

    public ClusterTraffic(IReadOnlyList<ClusterNode> nodes)
    {
        _nodes = nodes;
        _received = new long[nodes.Count];
        _sent = new long[nodes.Count];
        _filter = "( " + string.Join(" or ", nodes.Select(n => $"sport = :{n.ClusterPort} or dport = :{n.ClusterPort}")) + " )";
        for (var i = 0; i < nodes.Count; i++) _portOwner[nodes[i].ClusterPort] = i;
    }

    public async Task<TrafficReading> ReadAsync(CancellationToken ct)
    {
        var rows = Parse(await SsAsync(withProcesses: false, ct));
        if (rows.Any(r => !_owner.ContainsKey(r.Key) && !_portOwner.ContainsKey(r.LocalPort)))
        {
            var pids = _nodes.Select((n, i) => (Pid: n.Runner?.Pid ?? -1, i)).ToDictionary(p => p.Pid, p => p.i);
            foreach (var r in Parse(await SsAsync(withProcesses: true, ct)))
                if (r.Pid is { } pid && pids.TryGetValue(pid, out var node)) _owner[r.Key] = node;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var node = _portOwner.TryGetValue(r.LocalPort, out var n) ? n : _owner.GetValueOrDefault(r.Key, -1);
            if (node < 0) continue; // not one of ours (or gone before it could be matched)
            seen.Add(r.Key);
            var (lastReceived, lastAcked) = _last.GetValueOrDefault(r.Key);
            // A reused address pair is a new socket whose counters start again.
            _received[node] += r.Received >= lastReceived ? r.Received - lastReceived : r.Received;
            _sent[node] += r.Acked >= lastAcked ? r.Acked - lastAcked : r.Acked;
            _last[r.Key] = (r.Received, r.Acked);
        }
        foreach (var gone in _last.Keys.Where(k => !seen.Contains(k)).ToArray()) _last.Remove(gone);
        return new TrafficReading(Stopwatch.GetTimestamp(), (long[])_received.Clone(), (long[])_sent.Clone());
    }

    private async Task<string> SsAsync(bool withProcesses, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ss") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { withProcesses ? "-tinHOp" : "-tinHO", "state", "established", _filter }) psi.ArgumentList.Add(a);
        using var ss = Process.Start(psi) ?? throw new InvalidOperationException("cannot run ss (iproute2)");
        var output = ss.StandardOutput.ReadToEndAsync(ct);
        var errors = ss.StandardError.ReadToEndAsync(ct);
        await ss.WaitForExitAsync(ct);
        if (ss.ExitCode != 0) throw new InvalidOperationException($"ss exited with {ss.ExitCode}: {await errors}");
        return await output;
    }

    private sealed record Row(string Key, int LocalPort, long Received, long Acked, int? Pid);

    private static List<Row> Parse(string ss)
    {
        var rows = new List<Row>();
        foreach (var line in ss.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Recv-Q Send-Q Local:Port Peer:Port [users:((...,pid=N,fd=M))] info...
            var fields = line.Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4) continue;
            var local = fields[2];
            var colon = local.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(local[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var localPort)) continue;
            var pid = PidPattern().Match(line);
            rows.Add(new Row(local + ">" + fields[3], localPort, Counter(line, "bytes_received:"), Counter(line, "bytes_acked:"),
                pid.Success ? int.Parse(pid.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null));
        }
        return rows;
    }

    private static long Counter(string line, string name)
    {
        var i = line.IndexOf(name, StringComparison.Ordinal);
        if (i < 0) return 0;
        i += name.Length;
        var end = i;
        while (end < line.Length && char.IsAsciiDigit(line[end])) end++;
        return long.Parse(line.AsSpan(i, end - i), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"pid=(\d+),")]
    private static partial Regex PidPattern();
}
