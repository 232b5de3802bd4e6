using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// What a running node has no use for stays out of its memory: each of these libraries was once
/// loaded at start for nothing (docs/performance.md, "Idle footprint"), and would quietly come back
/// with an innocent-looking change.
/// </summary>
public sealed class FootprintTests(ITestOutputHelper output)
{
    private static readonly (string File, string Why)[] NotLoaded =
    [
        ("System.Net.Quic.dll", "HTTP/3: Kestrel's UseKestrel adds it; the node uses the slim builder's Kestrel (ConfigureKestrel)"),
        ("Microsoft.AspNetCore.Server.Kestrel.Transport.Quic.dll", "HTTP/3, as above"),
        ("System.Net.Security.dll", "TLS: the hooks' HttpClient is made on the first hook call, not at start"),
        ("System.Net.Requests.dll", "the app.config system (Akka.NET 1.5 reads it): NoAppConfig answers instead"),
        ("System.Net.WebClient.dll", "the app.config system, as above"),
        ("System.Diagnostics.Process.dll", "/metrics and /api/v1/summaries read Environment.WorkingSet and Environment.CpuUsage"),
    ];

    [JitNodeFact]
    public async Task A_serving_node_without_hooks_maps_no_library_it_does_not_use()
    {
        await using var node = await NodeProcess.StartAsync();
        // Serve a little first: the API and the metrics, as a monitored node does.
        await node.Api.GetStatusAsync("api/v1/summaries");
        await node.Api.GetStatusAsync("metrics");

        var mapped = File.ReadAllLines($"/proc/{node.Process.Id}/maps")
            .Select(line => line.Split('/').Last())
            .ToHashSet();
        var loaded = NotLoaded.Where(l => mapped.Contains(l.File)).ToList();
        foreach (var (file, why) in loaded) output.WriteLine($"mapped: {file} ({why})");
        Assert.True(loaded.Count == 0, "libraries the node does not use are mapped: " + string.Join("; ", loaded.Select(l => $"{l.File} ({l.Why})")));
        Assert.Contains("System.Net.Sockets.dll", mapped); // the list is the node's, read as it should be
    }
}
