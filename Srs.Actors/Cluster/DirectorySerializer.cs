using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;
using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Actors.Cluster;

/// <summary>
/// The directory's messages on the wire (<see cref="IDirectoryMessage"/>), in the compact binary
/// form of <see cref="WireWriter"/>, named by stable manifests: no type names on the wire, so a
/// renamed class does not break a cluster that runs two versions side by side.
/// </summary>
public sealed class DirectorySerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Bound in HOCON to every <see cref="IDirectoryMessage"/>; appended to the node's configuration.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.srs-directory = "Srs.Actors.Cluster.DirectorySerializer, Srs.Actors"
          serialization-bindings { "Srs.Actors.Cluster.IDirectoryMessage, Srs.Actors" = srs-directory }
          serialization-identifiers { "Srs.Actors.Cluster.DirectorySerializer, Srs.Actors" = 4101 }
        }
        """;

    private const string SubscribeManifest = "dir-subscribe";
    private const string SnapshotManifest = "dir-snapshot";
    private const string DeltaManifest = "dir-delta";
    private const string DigestManifest = "dir-digest";
    private const string PageRequestManifest = "dir-page-request";
    private const string PageManifest = "dir-page";

    public override string Manifest(object o) => o switch
    {
        Subscribe => SubscribeManifest,
        Snapshot => SnapshotManifest,
        Delta => DeltaManifest,
        Digest => DigestManifest,
        StreamsPageRequest => PageRequestManifest,
        StreamsPage => PageManifest,
        _ => throw new ArgumentException($"not a directory message: {o.GetType()}"),
    };

    public override byte[] ToBinary(object o)
    {
        var w = new WireWriter();
        switch (o)
        {
            case Subscribe:
                break;
            case Snapshot s:
                w.Int(s.Incarnation).Int(s.Seq);
                Write(w, s.Summary);
                w.Int(s.Part).Bool(s.Last);
                Write(w, s.Streams);
                break;
            case Delta d:
                w.Int(d.Incarnation).Int(d.Seq);
                Write(w, d.Summary);
                Write(w, d.Published);
                Write(w, d.Unpublished);
                break;
            case Digest g:
                w.Int(g.Incarnation).Int(g.Seq);
                Write(w, g.Summary);
                break;
            case StreamsPageRequest q:
                w.Int(q.Start).Int(q.Count);
                break;
            case StreamsPage p:
                w.Int(p.Total).UInt((ulong)p.Streams.Count);
                foreach (var e in p.Streams) w.String(e.Key).Bool(e.Publishing).Int(e.Clients);
                break;
            default:
                throw new ArgumentException($"not a directory message: {o.GetType()}");
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        return manifest switch
        {
            SubscribeManifest => Subscribe.Instance,
            SnapshotManifest => new Snapshot(r.Int(), r.Int(), ReadSummary(ref r), r.Int32(), r.Bool(), ReadKeys(ref r)),
            DeltaManifest => new Delta(r.Int(), r.Int(), ReadSummary(ref r), ReadKeys(ref r), ReadKeys(ref r)),
            DigestManifest => new Digest(r.Int(), r.Int(), ReadSummary(ref r)),
            PageRequestManifest => new StreamsPageRequest(r.Int32(), r.Int32()),
            PageManifest => ReadPage(ref r),
            _ => throw new SerializationException($"unknown directory manifest '{manifest}'"),
        };
    }

    private static void Write(WireWriter w, NodeSummary s) =>
        w.String(s.Role).String(s.RtmpHost).Int(s.RtmpPort).Bool(s.Draining).Int(s.Streams).Int(s.Clients);

    private static NodeSummary ReadSummary(ref WireReader r) =>
        new(r.String(64), r.String(DirectoryLimits.MaxStringBytes), r.Int32(), r.Bool(), r.Int32(), r.Int32());

    private static void Write(WireWriter w, IReadOnlyList<string> keys)
    {
        w.UInt((ulong)keys.Count);
        foreach (var k in keys) w.String(k);
    }

    private static string[] ReadKeys(ref WireReader r)
    {
        var keys = new string[r.Count(DirectoryLimits.MaxEntries)];
        for (var i = 0; i < keys.Length; i++) keys[i] = r.String(DirectoryLimits.MaxStringBytes);
        return keys;
    }

    private static StreamsPage ReadPage(ref WireReader r)
    {
        var total = r.Int32();
        var entries = new StreamEntry[r.Count(DirectoryLimits.MaxEntries)];
        for (var i = 0; i < entries.Length; i++) entries[i] = new StreamEntry(r.String(DirectoryLimits.MaxStringBytes), r.Bool(), r.Int32());
        return new StreamsPage(total, entries);
    }
}
