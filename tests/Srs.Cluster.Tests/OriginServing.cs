using Srs.Testing;
using static Srs.Testing.NodeHarness;

namespace Srs.Cluster.Tests;

/// <summary>The check that a node still does its job after a cluster event: a publish on it plays there.</summary>
public static class OriginServing
{
    public static async Task AssertAsync(NodeProcess node, string stream)
    {
        await using var publisher = FfmpegProcess.Publish(Rtmp(node, stream), TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => node.IsPublishedAsync(stream), TimeSpan.FromSeconds(20), () => "published\n" + publisher.Errors + node.Output);
        await using var player = FfmpegProcess.Play(Rtmp(node, stream));
        await Poll.AssertAsync(() => player.Frames > 25, TimeSpan.FromSeconds(20), () => "played\n" + player.Errors + node.Output);
    }
}
