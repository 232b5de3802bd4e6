using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

/// <summary>
/// Two origins behind a real load balancer (haproxy) and an edge: the origin holding a stream
/// quits, its encoder moves through the load balancer to the other origin at the origin's
/// request, and the edge's viewer keeps its connection.
/// </summary>
public class OriginQuitBehindLoadBalancerTests(ITestOutputHelper log)
{
    [Fact]
    public async Task An_origin_quits_its_encoder_moves_through_the_load_balancer_and_the_edge_viewer_stays()
    {
        await using var cluster = await TestCluster.StartAsync(log, "source.idle-timeout = 1s\ngrace-start-wait = 300ms\ngrace-final-wait = 500ms",
            "origin", "origin", "edge");
        var (first, second, edge) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using var lb = await LoadBalancer.StartAsync(first.RtmpPort, second.RtmpPort);

        // The encoder publishes through the load balancer (to the first origin while it is up).
        await using var encoder = await MovingPublisher.StartAsync(lb.Port, "live", "lb", TimeSpan.FromSeconds(10));
        await Poll.AssertAsync(() => first.IsPublishedAsync("lb"), TimeSpan.FromSeconds(15), () => "published on the first origin\n" + first.Output);
        await using var viewer = StreamWatcher.Play(edge.RtmpPort, "live", "lb");
        await Poll.AssertAsync(() => viewer.Frames > 25, TimeSpan.FromSeconds(20), () => "edge viewer receiving\n" + edge.Output);
        viewer.ResetGap();

        first.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => encoder.Moves == 1, TimeSpan.FromSeconds(20),
            () => $"the encoder moved (error: {encoder.MoveError?.Message})\n--- first ---\n{first.Output}\n--- lb ---\n{lb.Output}");
        await Poll.AssertAsync(() => second.IsPublishedAsync("lb"), TimeSpan.FromSeconds(10), () => "published on the second origin\n" + second.Output);
        var framesAtMove = viewer.Frames;
        await Poll.AssertAsync(() => viewer.Frames > framesAtMove + 50, TimeSpan.FromSeconds(20), () => "edge viewer fed from the second origin\n" + edge.Output);
        log.WriteLine($"origin quit behind haproxy: the encoder moved, the edge viewer stayed connected; longest gap between two frames {viewer.MaxGap.TotalMilliseconds:F0} ms");

        Assert.True(viewer.Connected, "the edge viewer keeps its connection");
        Assert.True(viewer.MaxGap < TimeSpan.FromSeconds(2), $"{viewer.DescribeGap()}\n{edge.Output}");
        Assert.True((await first.WaitForExitAsync(TimeSpan.FromSeconds(20))).HasValue, "the first origin exits once its clients moved\n" + first.Output);
    }
}
