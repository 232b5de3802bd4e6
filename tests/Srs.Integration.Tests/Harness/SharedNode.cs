namespace Srs.Integration.Tests.Harness;

/// <summary>
/// One node shared by the tests of a class (an xunit class fixture), started by the first test
/// that asks for it, killed after the last. Tests sharing it use distinct stream names.
/// </summary>
public sealed class SharedNode : IAsyncLifetime
{
    private readonly Lazy<Task<NodeProcess>> _node = new(() => NodeProcess.StartAsync());

    public Task<NodeProcess> GetAsync() => _node.Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (!_node.IsValueCreated) return;
        try { await (await _node.Value).DisposeAsync(); }
        catch (Exception) { /* it never started: the tests have reported why */ }
    }
}
