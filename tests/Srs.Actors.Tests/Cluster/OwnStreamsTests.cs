using Srs.Actors.Cluster;
using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Actors.Tests.Cluster;

public class OwnStreamsTests
{
    private static readonly NodeSummary Summary = new("origin", "127.0.0.1", 1935, false, 0, 0);

    [Fact]
    public void Changes_before_a_send_go_in_one_numbered_delta_each_stream_in_its_final_state()
    {
        var own = new OwnStreams(9);
        Assert.True(own.Set("v/a/1", true));
        Assert.False(own.Set("v/a/1", true)); // no change
        own.Set("v/a/2", true);
        own.Set("v/a/2", false);
        own.Set("v/a/3", true);

        var delta = Assert.Single(own.TakeDeltas(Summary));
        Assert.Equal((9L, 1L), (delta.Incarnation, delta.Seq));
        Assert.Equal(["v/a/1", "v/a/3"], delta.Published.Order());
        Assert.Equal(["v/a/2"], delta.Unpublished);
        Assert.False(own.HasPending);
        Assert.Equal(2, own.Count);
    }

    [Fact]
    public void With_nothing_pending_a_delta_carries_only_the_summary()
    {
        var own = new OwnStreams(1);
        var delta = Assert.Single(own.TakeDeltas(Summary with { Draining = true }));
        Assert.True(delta.Summary.Draining);
        Assert.Empty(delta.Published);
        Assert.Equal(1, delta.Seq);
    }

    [Fact]
    public void Deltas_and_snapshot_parts_stay_within_the_payload_bound_however_many_streams_change()
    {
        var own = new OwnStreams(1);
        var keys = Enumerable.Range(0, 20_000).Select(i => $"__defaultVhost__/live/stream-{i:D6}").ToArray();
        foreach (var k in keys) own.Set(k, true);

        var deltas = own.TakeDeltas(Summary);
        Assert.True(deltas.Count > 1);
        Assert.All(deltas, d => Assert.InRange(d.Published.Sum(DirectoryLimits.Cost), 1, DirectoryLimits.PayloadBytes));
        Assert.Equal(Enumerable.Range(1, deltas.Count).Select(i => (long)i), deltas.Select(d => d.Seq));
        Assert.Equal(keys.Length, deltas.Sum(d => d.Published.Count));

        var parts = own.Snapshot(Summary).ToList();
        Assert.All(parts, p => Assert.InRange(p.Streams.Sum(DirectoryLimits.Cost), 1, DirectoryLimits.PayloadBytes));
        Assert.Equal(Enumerable.Range(0, parts.Count), parts.Select(p => p.Part));
        Assert.Equal([.. Enumerable.Repeat(false, parts.Count - 1), true], parts.Select(p => p.Last));
        Assert.All(parts, p => Assert.Equal(own.Seq, p.Seq));
        Assert.Equal(keys.Order(), parts.SelectMany(p => p.Streams).Order());
    }

    [Fact]
    public void A_node_with_no_streams_sends_a_snapshot_of_one_empty_last_part()
    {
        var part = Assert.Single(new OwnStreams(1).Snapshot(Summary));
        Assert.True(part.Last);
        Assert.Empty(part.Streams);
    }

    [Fact]
    public void A_snapshot_is_refused_while_changes_are_pending()
    {
        var own = new OwnStreams(1);
        own.Set("v/a/1", true);
        Assert.Throws<InvalidOperationException>(() => own.Snapshot(Summary).ToList());
    }
}
