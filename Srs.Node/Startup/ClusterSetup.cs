using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Srs.Actors.Configuration;

namespace Srs.Node.Startup;

/// <summary>
/// The node's place in the Akka cluster: its role comes from srs.role, and it joins only once it
/// serves. Akka joins akka.cluster.seed-nodes by itself as soon as the actor system starts, which is
/// before the HTTP listeners are bound: a node that then failed to start would have been a member
/// that vanished, for the others to mark unreachable and the split-brain resolver to act on. So Akka
/// is given no seeds, and <see cref="Join"/> joins the configured ones (or forms a cluster of one,
/// so a standalone origin and a clustered one run the same code) once every listener is up.
/// </summary>
public static class ClusterSetup
{
    private const string SeedsKey = "akka.cluster.seed-nodes";

    /// <summary>What Akka gets over the node's configuration: the role, and no seeds to join by itself.</summary>
    public static Config AkkaConfig(SrsSettings settings) =>
        ConfigurationFactory.ParseString($"akka.cluster {{ roles = [{settings.Role.ToString().ToLowerInvariant()}], seed-nodes = [] }}");

    /// <summary>The configured seeds, read before anything starts so that a malformed one is a startup error.</summary>
    public static IReadOnlyList<Address> Seeds(Config config) =>
        config.GetStringList(SeedsKey, []).Select(seed =>
        {
            try
            {
                return Address.Parse(seed);
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
            {
                throw new NodeStartupException($"{SeedsKey}: \"{seed}\" is not a cluster address (akka.tcp://srs@HOST:PORT): {e.Message}", e);
            }
        }).ToList();

    /// <summary>Joins the seeds, or this node itself when there are none. Call once the node serves.</summary>
    public static void Join(ActorSystem system, IReadOnlyList<Address> seeds, ILogger log)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (seeds.Count == 0)
        {
            log.LogInformation("forming a cluster of one: no seed nodes");
            cluster.Join(cluster.SelfAddress);
            return;
        }
        log.LogInformation("joining the cluster through {Seeds}", string.Join(", ", seeds));
        cluster.JoinSeedNodes(seeds);
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
