using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Report;

namespace Srs.Bench.Cluster;

/// <summary>
/// Cluster-port traffic of a phase against the quiet window measured just before it: per node,
/// bytes per second received and sent in each, and the bytes the phase's directory changes
/// (publishes + unpublishes) cost that node: phase bytes minus the quiet rate over the phase's
/// length, divided by the changes.
/// </summary>
public static class TrafficReport
{
    public static (string Table, string Fields) Describe(IReadOnlyList<ClusterNode> nodes, TrafficReading quietFrom, TrafficReading quietTo,
        TrafficReading from, TrafficReading to, long changes)
    {
        var quietSeconds = Stopwatch.GetElapsedTime(quietFrom.Timestamp, quietTo.Timestamp).TotalSeconds;
        var seconds = Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds;
        var table = new Table("node", "quiet rx B/s", "quiet tx B/s", "rx B/s", "tx B/s", "rx B/change", "tx B/change");
        var rxPerChange = new List<double>();
        var quietRxRates = new List<double>();
        var txPerChange = new List<double>();
        for (var i = 0; i < nodes.Count; i++)
        {
            double QuietRate(long[] a, long[] b) => quietSeconds > 0 ? (b[i] - a[i]) / quietSeconds : 0;
            var quietRx = QuietRate(quietFrom.Received, quietTo.Received);
            var quietTx = QuietRate(quietFrom.Sent, quietTo.Sent);
            quietRxRates.Add(quietRx);
            var rx = to.Received[i] - from.Received[i];
            var tx = to.Sent[i] - from.Sent[i];
            var rxChange = changes > 0 ? (rx - quietRx * seconds) / changes : double.NaN;
            var txChange = changes > 0 ? (tx - quietTx * seconds) / changes : double.NaN;
            rxPerChange.Add(rxChange);
            txPerChange.Add(txChange);
            table.Add(nodes[i].Name, Round(quietRx), Round(quietTx), Round(rx / seconds), Round(tx / seconds), Round(rxChange), Round(txChange));
        }
        var sumRx = nodes.Select((_, i) => (double)(to.Received[i] - from.Received[i])).Sum();
        var fields = string.Create(CultureInfo.InvariantCulture,
            $"changes={changes} phase_s={seconds:0.#} cluster_rx_Bps={sumRx / seconds:0} quiet_rx_per_node_Bps={quietRxRates.Average():0} " +
            $"rx_per_node_per_change={rxPerChange.Average():0} " +
            $"rx_per_node_per_change_max={rxPerChange.Max():0} tx_per_node_per_change_max={txPerChange.Max():0}");
        return (table.ToString(), fields);
    }

    private static string Round(double v) => double.IsNaN(v) ? "na" : v.ToString("0", CultureInfo.InvariantCulture);
}
