using System.Security.Cryptography;
using System.Text;

namespace Srs.Actors.Cluster;

/// <summary>
/// Rendezvous (highest random weight) ordering: each stream gets a stable order of candidates, and
/// when one candidate goes away only the streams that preferred it move.
/// </summary>
public static class Rendezvous
{
    public static IReadOnlyList<T> Order<T>(string streamKey, IEnumerable<T> candidates, Func<T, string> id) =>
        candidates.OrderByDescending(c => Weight(streamKey, id(c))).ThenBy(id, StringComparer.Ordinal).ToArray();

    private static ulong Weight(string streamKey, string candidate)
    {
        // A stable hash (string.GetHashCode is randomised per process; every node must agree).
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(streamKey + "\n" + candidate), hash);
        return BitConverter.ToUInt64(hash);
    }
}
