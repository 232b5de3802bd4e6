using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Srs.Actors.Configuration;

namespace Srs.Node.Startup;

/// <summary>
/// The node's place in the Akka cluster: its role comes from srs.role, and a node without seed
/// nodes forms a cluster of one, so a standalone origin and a clustered one run the same code.
/// </summary>
public static class ClusterSetup
{
    public static Config RoleConfig(SrsSettings settings) =>
        ConfigurationFactory.ParseString($"akka.cluster.roles = [{settings.Role.ToString().ToLowerInvariant()}]");

    public static void JoinSelfWhenNoSeeds(ActorSystem system, Config config)
    {
        var seeds = config.GetStringList("akka.cluster.seed-nodes", []);
        if (seeds.Count > 0) return;
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
    }

    /// <summary>
    /// The RTMP address other nodes (edges) reach this one at: the listen address, or when that is
    /// a wildcard, the host the cluster port advertises (akka.remote public-hostname or hostname).
    /// </summary>
    public static (string Host, int Port) AdvertisedRtmp(SrsSettings settings, Config config)
    {
        var ip = settings.RtmpListen.Address;
        if (!ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)) return (ip.ToString(), settings.RtmpListen.Port);
        var host = config.GetString("akka.remote.dot-netty.tcp.public-hostname", null);
        if (string.IsNullOrEmpty(host)) host = config.GetString("akka.remote.dot-netty.tcp.hostname", "127.0.0.1");
        return (host, settings.RtmpListen.Port);
    }
}
