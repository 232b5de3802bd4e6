using Akka.Actor;
using Akka.TestKit.Xunit2;
using Srs.Actors.Cluster;
using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Actors.Tests.Cluster;

public class DirectorySerializerTests() : TestKit(DirectorySerializer.Hocon)
{
    private static readonly NodeSummary Summary = new("origin", "127.0.0.1", 1935, Draining: false, Streams: 3, Clients: 4);

    private DirectorySerializer Serializer => new((ExtendedActorSystem)Sys);

    public static TheoryData<IDirectoryMessage> Messages => new()
    {
        Subscribe.Instance,
        new Snapshot(-5, 7, Summary, 2, true, ["__defaultVhost__/live/a", "v/app/ü"]),
        new Delta(long.MaxValue, 1, Summary with { Draining = true }, ["v/a/s"], ["v/a/t", "v/a/u"]),
        new Digest(1, long.MaxValue, Summary),
        new StreamsPageRequest(100, 50),
        new StreamsPage(20_000, [new StreamEntry("v/a/s", true, 3), new StreamEntry("v/a/t", false, 0)]),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_is_bound_to_the_directory_serializer_and_round_trips(IDirectoryMessage message)
    {
        Assert.IsType<DirectorySerializer>(Sys.Serialization.FindSerializerFor(message));
        var bytes = Serializer.ToBinary(message);
        var back = Serializer.FromBinary(bytes, Serializer.Manifest(message));
        Assert.Equal(Describe(message), Describe(back));
    }

    /// <summary>
    /// The wire form is a contract between versions of the node running side by side: these bytes
    /// were written by the first version of each message. Today's reader must read them, and today's
    /// writer must still write them (a change here breaks a rolling upgrade; see docs/cluster.md, "Wire format").
    /// </summary>
    [Theory]
    [InlineData("dir-subscribe", "")]
    [InlineData("dir-delta", "0a0e066f726967696e093132372e302e302e319e1e0006080105762f612f7300")]
    [InlineData("dir-digest", "0204066f726967696e093132372e302e302e319e1e010608")]
    [InlineData("dir-page-request", "c80164")]
    public void Golden_bytes_are_read_and_written_unchanged(string manifest, string hex)
    {
        var message = Serializer.FromBinary(Convert.FromHexString(hex), manifest);
        Assert.Equal(manifest, Serializer.Manifest(message));
        Assert.Equal(hex, Convert.ToHexString(Serializer.ToBinary(message)).ToLowerInvariant());
    }

    [Fact]
    public void Golden_messages_mean_what_they_meant()
    {
        var delta = (Delta)Serializer.FromBinary(Convert.FromHexString("0a0e066f726967696e093132372e302e302e319e1e0006080105762f612f7300"), "dir-delta");
        Assert.Equal((5L, 7L, Summary), (delta.Incarnation, delta.Seq, delta.Summary));
        Assert.Equal(["v/a/s"], delta.Published);
        Assert.Empty(delta.Unpublished);
    }

    [Fact]
    public void Fields_added_at_the_end_by_a_later_version_are_ignored()
    {
        var bytes = Serializer.ToBinary(new Digest(1, 2, Summary)).Concat(new byte[] { 0x05, 0x01, 0x02 }).ToArray();
        Assert.Equal(new Digest(1, 2, Summary), Serializer.FromBinary(bytes, "dir-digest"));
    }

    [Theory]
    [InlineData("dir-delta", "0a0e066f72")]                 // cut inside a string
    [InlineData("dir-delta", "0a0e066f726967696e093132372e302e302e319e1e000608ffffffff0f")] // 4 billion keys announced
    [InlineData("dir-page-request", "ffffffffffffffffffffff")] // an integer longer than 64 bits
    public void Truncated_or_oversized_input_is_refused_without_allocating_it(string manifest, string hex) =>
        Assert.Throws<FormatException>(() => Serializer.FromBinary(Convert.FromHexString(hex), manifest));

    [Fact]
    public void An_unknown_manifest_is_refused() =>
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => Serializer.FromBinary([], "dir-from-the-future"));

    private static string Describe(object m) => m switch
    {
        Snapshot s => $"{s with { Streams = [] }} [{string.Join(",", s.Streams)}]",
        Delta d => $"{d with { Published = [], Unpublished = [] }} +[{string.Join(",", d.Published)}] -[{string.Join(",", d.Unpublished)}]",
        StreamsPage p => $"{p.Total} [{string.Join(",", p.Streams)}]",
        _ => m.ToString()!,
    };
}
