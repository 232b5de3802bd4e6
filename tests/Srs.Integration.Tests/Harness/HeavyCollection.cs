namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Tests that load the machine (50 players, 200 hostile connections) run alone, after the
/// parallel ones, so they neither starve nor are starved by other nodes on 2 cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyCollection
{
    public const string Name = "heavy (runs alone)";
}
