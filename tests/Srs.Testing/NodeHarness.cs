using System.Diagnostics;
using System.Text.Json;
using Srs.Testing;

namespace Srs.Testing;

/// <summary>What the process-level tests ask of nodes and streams (URLs, API reads, ffprobe, starting several nodes).</summary>
public static class NodeHarness
{
    public static string Rtmp(NodeProcess node, string stream) => $"rtmp://127.0.0.1:{node.RtmpPort}/live/{stream}";
    public static string Flv(NodeProcess node, string stream) => $"http://127.0.0.1:{node.HttpPort}/live/{stream}.flv";

    /// <summary>HOCON inside srs { } for an edge pulling from these origins.</summary>
    public static string EdgeConf(params NodeProcess[] origins) => EdgeConf(origins.Select(o => o.RtmpPort).ToArray());

    public static string EdgeConf(params int[] originRtmpPorts) =>
        $"role = edge\nedge.origins = [{string.Join(", ", originRtmpPorts.Select(p => $"\"127.0.0.1:{p}\""))}]\nsource.idle-timeout = 1s";

    public sealed record Client(string Id, string Stream, string Type);

    /// <summary>/api/v1/clients of the node (empty when it does not answer).</summary>
    public static async Task<IReadOnlyList<Client>> ClientsAsync(NodeProcess node)
    {
        var json = await node.GetJsonAsync("/api/v1/clients");
        if (json is null) return [];
        return json.Value.GetProperty("clients").EnumerateArray()
            .Select(c => new Client(c.GetProperty("id").GetString()!, c.GetProperty("name").GetString() ?? "", c.GetProperty("type").GetString()!))
            .ToArray();
    }

    /// <summary>The clients of <paramref name="stream"/> of one type ("rtmp-play", "flv-play", "fmle-publish").</summary>
    public static async Task<IReadOnlyList<Client>> ClientsAsync(NodeProcess node, string stream, string type) =>
        (await ClientsAsync(node)).Where(c => c.Stream == stream && c.Type == type).ToArray();

    /// <summary>The stream's entry in /api/v1/streams, or null.</summary>
    public static async Task<JsonElement?> StreamAsync(NodeProcess node, string stream)
    {
        var json = await node.GetJsonAsync("/api/v1/streams");
        if (json is null) return null;
        foreach (var s in json.Value.GetProperty("streams").EnumerateArray())
            if (s.GetProperty("name").GetString() == stream) return s;
        return null;
    }

    /// <summary>The codec names ffprobe finds in <paramref name="url"/> (sorted), or what went wrong.</summary>
    public static async Task<string> ProbeCodecsAsync(string url, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-rw_timeout", "15000000", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill();
            return "ffprobe timed out";
        }
        var codecs = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order();
        return process.ExitCode == 0 ? string.Join(",", codecs) : $"ffprobe exit {process.ExitCode}: {await stderr}";
    }

    /// <summary>Starts nodes at once; the ports are taken together so no two nodes draw the same free port.</summary>
    public static async Task<NodeProcess[]> StartNodesAsync(Func<int[][], string[]> confs, int count)
    {
        var all = FreePorts.Take(3 * count);
        var ports = Enumerable.Range(0, count).Select(i => all[(3 * i)..(3 * i + 3)]).ToArray();
        var texts = confs(ports);
        var starting = Enumerable.Range(0, count).Select(i => NodeProcess.StartAsync(texts[i], ports: ports[i])).ToArray();
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var t in starting.Where(t => t.IsCompletedSuccessfully)) await t.Result.DisposeAsync();
            throw;
        }
    }
}
