using System.Text;
using Srs.Actors.Streams;

namespace Srs.Actors.Cluster;

/// <summary>
/// Rendezvous (highest random weight) hashing: every stream ranks the origins by a hash of
/// (stream, origin). The order is the same on every node and in every process, different streams
/// spread over the origins, and adding or removing one origin moves only the streams that
/// ranked it first.
/// </summary>
public static class RendezvousHash
{
    /// <summary><paramref name="origins"/> ranked for <paramref name="key"/>, best first (a new list).</summary>
    public static List<OriginEndpoint> Order(StreamKey key, IEnumerable<OriginEndpoint> origins)
    {
        var stream = key.ToString();
        return origins
            .Select(o => (Origin: o, Weight: Weight(stream, o.ToString())))
            .OrderByDescending(x => x.Weight)
            .ThenBy(x => x.Origin.ToString(), StringComparer.Ordinal)
            .Select(x => x.Origin)
            .ToList();
    }

    /// <summary>A stable 64-bit hash (FNV-1a, then a finalizer that spreads the bits); string.GetHashCode differs per process.</summary>
    public static ulong Weight(string stream, string origin)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(stream + "\n" + origin))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        // splitmix64 finalizer: FNV alone leaves nearby inputs with correlated high bits.
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return hash;
    }
}
