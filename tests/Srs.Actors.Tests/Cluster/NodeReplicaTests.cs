using Srs.Actors.Cluster;
using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Actors.Tests.Cluster;

public class NodeReplicaTests
{
    private static readonly NodeSummary Summary = new("origin", "127.0.0.1", 1935, false, 0, 0);
    private readonly List<string> _changed = new();

    private static Snapshot Part(long incarnation, long seq, int part, bool last, params string[] keys) => new(incarnation, seq, Summary, part, last, keys);
    private static Delta Delta(long incarnation, long seq, string[] published, string[]? unpublished = null) => new(incarnation, seq, Summary, published, unpublished ?? []);

    [Fact]
    public void A_snapshot_in_parts_syncs_the_replica_only_with_its_last_part()
    {
        var replica = new NodeReplica();
        Assert.True(replica.Apply(Part(1, 5, 0, false, "v/a/1", "v/a/2"), _changed));
        Assert.False(replica.Synced);
        Assert.Equal(0, replica.Count);
        Assert.True(replica.Apply(Part(1, 5, 1, true, "v/a/3"), _changed));
        Assert.True(replica.Synced);
        Assert.Equal((3, 5L), (replica.Count, replica.Seq));
        Assert.Equal(["v/a/1", "v/a/2", "v/a/3"], _changed.Order());
    }

    [Fact]
    public void Deltas_apply_in_order_and_report_what_changed_old_ones_are_skipped()
    {
        var replica = Synced(1, 5, "v/a/1");
        Assert.True(replica.Apply(Delta(1, 6, ["v/a/2"], ["v/a/1"]), _changed));
        Assert.Equal(["v/a/1", "v/a/2"], _changed.Order());
        Assert.True(replica.Contains("v/a/2"));
        Assert.False(replica.Contains("v/a/1"));

        _changed.Clear();
        Assert.True(replica.Apply(Delta(1, 4, ["v/a/9"]), _changed)); // sent before the snapshot it is already in
        Assert.Empty(_changed);
        Assert.False(replica.Contains("v/a/9"));
    }

    [Fact]
    public void A_gap_in_the_numbers_unsyncs_the_replica_which_keeps_routing_by_what_it_has_until_the_next_snapshot()
    {
        var replica = Synced(1, 5, "v/a/1", "v/a/2");
        Assert.False(replica.Apply(Delta(1, 7, ["v/a/3"]), _changed));
        Assert.False(replica.Synced);
        Assert.True(replica.Contains("v/a/1"));
        Assert.False(replica.Contains("v/a/3"));

        _changed.Clear();
        Assert.True(replica.Apply(Part(1, 7, 0, true, "v/a/2", "v/a/3"), _changed));
        Assert.Equal(["v/a/1", "v/a/3"], _changed.Order()); // only what the snapshot changed
        Assert.True(replica.Synced);
    }

    [Fact]
    public void A_lost_snapshot_part_is_detected_and_the_partial_set_never_used()
    {
        var replica = Synced(1, 5, "v/a/1");
        Assert.True(replica.Apply(Part(1, 9, 0, false, "v/a/1"), _changed));
        Assert.False(replica.Apply(Part(1, 9, 2, true, "v/a/3"), _changed)); // part 1 lost
        Assert.False(replica.Apply(Part(1, 9, 1, false, "v/a/2"), _changed)); // the rest of that snapshot is of no use
        Assert.Equal(5, replica.Seq);
        Assert.Equal(1, replica.Count);
    }

    [Fact]
    public void A_restarted_owner_on_the_same_address_replaces_the_old_set()
    {
        var replica = Synced(1, 50, "v/a/old");
        Assert.False(replica.Apply(Delta(2, 1, ["v/a/new"]), _changed)); // another incarnation: subscribe again
        Assert.True(replica.Apply(Part(2, 1, 0, true, "v/a/new"), _changed));
        Assert.False(replica.Contains("v/a/old"));
        Assert.True(replica.Contains("v/a/new"));
        Assert.Equal(1, replica.Seq);
    }

    [Fact]
    public void A_digest_ahead_of_the_replica_unsyncs_it_one_level_with_it_keeps_it_and_updates_the_summary()
    {
        var replica = Synced(1, 5, "v/a/1");
        Assert.True(replica.Apply(new Digest(1, 5, Summary with { Clients = 42 })));
        Assert.Equal(42, replica.Summary!.Clients);
        Assert.False(replica.Apply(new Digest(1, 6, Summary)));
        Assert.False(replica.Synced);
    }

    private NodeReplica Synced(long incarnation, long seq, params string[] keys)
    {
        var replica = new NodeReplica();
        Assert.True(replica.Apply(Part(incarnation, seq, 0, true, keys), _changed));
        _changed.Clear();
        return replica;
    }
}
