using Srs.Testing;

namespace Srs.Edge.Tests;

/// <summary>One origin and one edge pulling from it (edge.origins), shared by the tests of a class; each test uses its own stream names.</summary>
public sealed class OriginAndEdge : IAsyncLifetime
{
    public NodeProcess Origin { get; private set; } = null!;
    public NodeProcess Edge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var nodes = await NodeHarness.StartNodesAsync(p => ["source.idle-timeout = 1s", NodeHarness.EdgeConf(p[0][0])], 2);
        (Origin, Edge) = (nodes[0], nodes[1]);
    }

    public string Output => $"--- origin ---\n{Origin.Output}\n--- edge ---\n{Edge.Output}";

    public async Task DisposeAsync()
    {
        if (Origin is not null) await Origin.DisposeAsync();
        if (Edge is not null) await Edge.DisposeAsync();
    }
}
