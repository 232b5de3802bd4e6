using Srs.Bench.Server;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Cluster;

/// <summary>One node process of the bench's cluster: its role, its loopback ports, its API and its log counters.</summary>
public sealed class ClusterNode(string role, int index, int rtmpPort, int apiPort, int flvPort, int clusterPort)
{
    public const string App = "live";

    public string Role { get; } = role;
    public int Index { get; } = index;
    public string Name => $"{Role}-{Index}";
    public int RtmpPort { get; } = rtmpPort;
    public int ApiPort { get; } = apiPort;
    public int FlvPort { get; } = flvPort;
    public int ClusterPort { get; } = clusterPort;

    /// <summary>The node's address in the cluster, as the directory names it.</summary>
    public string Address => $"akka.tcp://srs@127.0.0.1:{ClusterPort}";

    public NodeApi Api { get; } = new(new Uri($"http://127.0.0.1:{apiPort}"));
    public NodeLogCounters Log { get; } = new();
    public NodeRunner? Runner { get; set; }

    public RtmpUrl Url(string stream) => new("127.0.0.1", RtmpPort, App, stream);

    /// <summary>The HOCON the node runs with (layered over its embedded default).</summary>
    public string Config(string seedAddress, string logLevel, string extra = "") => $$"""
        srs {
          role = {{Role}}
          rtmp.listen = "127.0.0.1:{{RtmpPort}}"
          http-api { listen = "127.0.0.1:{{ApiPort}}", debug = on }   # POST /api/v1/debug/gc
          http-server.listen = "127.0.0.1:{{FlvPort}}"
          # A port another process holds fails the start instead of being shared with it.
          reuseport = off
          # No Unix socket left behind in /tmp.
          upgrade-socket = off
          edge.origins = []
        }
        akka.loglevel = {{logLevel}}
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{ClusterPort}} }
        akka.cluster.seed-nodes = ["{{seedAddress}}"]
        {{extra}}
        """;
}
