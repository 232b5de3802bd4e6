using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>
/// The HTTP API during an upgrade in place: both processes accept on the API port, and whichever
/// answers reports the clients and streams of both, each with the pid of the process holding it,
/// while no counter goes backwards from one answer to the next, before and after the old process exits.
/// </summary>
public sealed class UpgradeApiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Whichever_process_answers_the_api_counts_the_clients_and_streams_of_both_and_no_counter_goes_backwards()
    {
        const string conf = "grace-start-wait = 300ms\n grace-final-wait = 300ms";
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        // On A: an encoder of live/a and two viewers.
        await using var publisherA = FfmpegProcess.Publish($"rtmp://127.0.0.1:{a.RtmpPort}/live/a", TimeSpan.FromSeconds(120));
        await Poll.AssertAsync(() => a.IsPublishedAsync("a"), TimeSpan.FromSeconds(15), () => "published on A\n" + a.Output);
        await using var viewerA1 = StreamWatcher.Play(a.RtmpPort, "live", "a");
        await using var viewerA2 = StreamWatcher.Play(a.RtmpPort, "live", "a");
        await Poll.AssertAsync(() => viewerA1.Frames > 0 && viewerA2.Frames > 0, TimeSpan.FromSeconds(10), () => "viewers on A\n" + a.Output);

        var b = await NodeProcess.StartAsync(conf, output, ports);
        await using var _ = b;
        await Poll.AssertAsync(() => a.Output.Contains($"pid {b.Pid} took over 3 listening sockets"), TimeSpan.FromSeconds(5), () => "A saw the takeover\n" + a.Output);
        // On B (A paused while they connect, since either process may accept): two viewers of live/a,
        // which B pulls from A, and an encoder of live/b.
        StreamWatcher viewerB1, viewerB2;
        HeldPublisher publisherB;
        using (await ProcessPause.StartAsync(a.Pid))
        {
            viewerB1 = StreamWatcher.Play(b.RtmpPort, "live", "a");
            viewerB2 = StreamWatcher.Play(b.RtmpPort, "live", "a");
            publisherB = await HeldPublisher.StartAsync(b.RtmpPort, "live", "b", TimeSpan.FromSeconds(10));
            await Poll.AssertAsync(() => b.CountInOutput("plays __defaultVhost__/live/a") == 2, TimeSpan.FromSeconds(10), () => "B has both viewers\n" + b.Output);
        }
        await using var __ = viewerB1;
        await using var ___ = viewerB2;
        await using var ____ = publisherB;
        await Poll.AssertAsync(() => viewerB1.Frames > 0 && viewerB2.Frames > 0, TimeSpan.FromSeconds(10), () => "viewers on B fed from A\n" + b.Output);

        var api = new ApiReader(a.ApiPort);
        var expected = new Dictionary<int, int> { [a.Pid] = 3, [b.Pid] = 3 };
        // Each process in turn, then either, as a scraper meets them.
        for (var i = 0; i < 3; i++)
        {
            await api.CheckAsync((b, a), expected, streams: 2, Where("asking B", a, b));
            await api.CheckAsync((a, b), expected, streams: 2, Where("asking A", a, b));
        }
        for (var i = 0; i < 20; i++) await api.CheckAsync(null, expected, streams: 2, Where("asking either", a, b));
        Assert.True(api.AnsweredBy.SetEquals([a.Pid, b.Pid]), $"both processes answered: {string.Join(", ", api.AnsweredBy)}");

        // A kick answered by B of a viewer on A: B passes it on to A.
        var clients = await api.GetAsync((b, a), "/api/v1/clients");
        var victim = clients.GetProperty("clients").EnumerateArray()
            .First(c => c.GetProperty("pid").GetInt32() == a.Pid && c.GetProperty("type").GetString() == "rtmp-play").GetProperty("id").GetString();
        var kick = await api.SendAsync((b, a), HttpMethod.Delete, $"/api/v1/clients/{victim}?pid={a.Pid}");
        Assert.Equal(0, kick.GetProperty("code").GetInt32());
        await Poll.AssertAsync(() => !viewerA1.Connected || !viewerA2.Connected, TimeSpan.FromSeconds(10), () => "A closed the kicked viewer\n" + a.Output);
        await Poll.AssertAsync(() => a.Output.Contains($"client {victim} (127.0.0.1") && a.Output.Contains("kicked by the HTTP API"), TimeSpan.FromSeconds(5),
            () => "A logged the kick\n" + a.Output);
        expected[a.Pid] = 2;
        await api.CheckAsync((b, a), expected, streams: 2, Where("after the kick", a, b));

        // A quits: its encoder ignores the reconnect request (ffmpeg) and stays, as do its viewers.
        a.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => a.Output.Contains("quit phase service-unbind (unbinding) took"), TimeSpan.FromSeconds(10), () => "A unbound\n" + a.Output);
        for (var i = 0; i < 10; i++) await api.CheckAsync(null, expected, streams: 2, Where("A draining", a, b));

        // A's clients leave; it exits, and B alone answers, with A's counters carried.
        await viewerA1.DisposeAsync();
        await viewerA2.DisposeAsync();
        await publisherA.DisposeAsync();
        Assert.True((await a.WaitForExitAsync(TimeSpan.FromSeconds(20))).HasValue, "A exits once its clients left\n" + a.Output);
        Assert.Contains("has exited", b.Output);
        // B's viewers of live/a wait for an encoder; B still has them and its own publisher.
        for (var i = 0; i < 5; i++) await api.CheckAsync(null, new() { [b.Pid] = 3 }, streams: 2, Where("A gone", a, b));
        output.WriteLine($"{api.Reads} API reads during the upgrade: counts right in each, no counter went backwards " +
                         $"(bytes sent {api.Last["srs_bytes_sent_total"]:F0}, connections accepted {api.Last["srs_connections_accepted_total"]:F0})");
    }

    private static Func<string> Where(string step, NodeProcess a, NodeProcess b) => () => $"{step}\nA:\n{a.Output}\nB:\n{b.Output}";


    /// <summary>Reads the API as a scraper would, a new connection each time (so either process may answer), and checks every answer.</summary>
    private sealed class ApiReader(int port)
    {
        private static readonly string[] Counters =
            ["srs_connections_accepted_total", "srs_sources_created_total", "srs_bytes_received_total", "srs_bytes_sent_total"];

        public HashSet<int> AnsweredBy { get; } = [];
        public Dictionary<string, double> Last { get; } = [];
        public int Reads { get; private set; }

        /// <param name="asking">The process to answer and the other one, or null for whichever accepts.</param>
        /// <param name="expected">Clients expected per process (pid).</param>
        public async Task CheckAsync((NodeProcess Accepter, NodeProcess Other)? asking, Dictionary<int, int> expected, int streams, Func<string> context)
        {
            using var http = Client(asking);
            {
                var total = expected.Values.Sum();
                var (summaries, by) = await GetAsync(http, "/api/v1/summaries");
                var system = summaries.GetProperty("data").GetProperty("system");
                Assert.True(system.GetProperty("conn_srs").GetInt32() == total, $"summaries by {by}: {summaries}\n{context()}");
                Assert.True(system.GetProperty("streams").GetInt32() == streams, $"summaries by {by}: {summaries}\n{context()}");
                Assert.Equal(expected.Count, summaries.GetProperty("data").GetProperty("processes").GetArrayLength());

                var (clients, by2) = await GetAsync(http, "/api/v1/clients");
                var perPid = clients.GetProperty("clients").EnumerateArray().GroupBy(c => c.GetProperty("pid").GetInt32()).ToDictionary(g => g.Key, g => g.Count());
                Assert.True(perPid.Count == expected.Count && expected.All(e => perPid.GetValueOrDefault(e.Key) == e.Value),
                    $"clients by {by2}, per pid {string.Join(", ", perPid)}: {clients}\n{context()}");

                var (list, by3) = await GetAsync(http, "/api/v1/streams");
                var entries = list.GetProperty("streams").EnumerateArray().ToList();
                Assert.True(entries.Count == streams, $"streams by {by3}: {list}\n{context()}");
                Assert.True(entries.Sum(s => s.GetProperty("clients").GetInt32()) == total, $"stream clients by {by3}: {list}\n{context()}");

                var metrics = await MetricsAsync(http);
                Assert.True(metrics["srs_connections"] == total, $"srs_connections: {metrics["srs_connections"]}\n{context()}");
                Assert.True(metrics["srs_processes"] == expected.Count, $"srs_processes: {metrics["srs_processes"]}\n{context()}");
                foreach (var name in Counters)
                {
                    Assert.True(metrics[name] >= Last.GetValueOrDefault(name), $"{name} went back from {Last.GetValueOrDefault(name)} to {metrics[name]}\n{context()}");
                    Last[name] = metrics[name];
                }
                if (asking is { } chosen) Assert.True(by == chosen.Accepter.Pid && by2 == by && by3 == by, $"answered by {by}, {by2}, {by3}, not {chosen.Accepter.Pid}");
                Reads++;
            }
        }

        /// <summary>A new connection per request (so either process may answer), or one that <paramref name="asking"/>'s accepter took.</summary>
        private HttpClient Client((NodeProcess Accepter, NodeProcess Other)? asking)
        {
            var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero };
            if (asking is { } chosen)
                handler.ConnectCallback = async (_, ct) => new NetworkStream(await SharedSocketConnect.ConnectAsync(port, chosen.Accepter, chosen.Other, ct), ownsSocket: true);
            var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20), BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.ConnectionClose = true;
            return http;
        }

        /// <summary>One request, answered by <paramref name="asking"/>'s accepter; the JSON body of a 200.</summary>
        public async Task<JsonElement> SendAsync((NodeProcess Accepter, NodeProcess Other) asking, HttpMethod method, string path)
        {
            using var http = Client(asking);
            using var response = await http.SendAsync(new HttpRequestMessage(method, path));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {body}");
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }

        public Task<JsonElement> GetAsync((NodeProcess Accepter, NodeProcess Other) asking, string path) => SendAsync(asking, HttpMethod.Get, path);

        /// <summary>The body and the pid of the process that answered (its "server" is "vid-" and its pid in hex).</summary>
        private async Task<(JsonElement Body, int By)> GetAsync(HttpClient http, string path)
        {
            using var doc = JsonDocument.Parse(await FetchAsync(http, path));
            var by = int.Parse(doc.RootElement.GetProperty("server").GetString()!["vid-".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            AnsweredBy.Add(by);
            return (doc.RootElement.Clone(), by);
        }

        /// <summary>Every sample by its name with labels.</summary>
        private static async Task<Dictionary<string, double>> MetricsAsync(HttpClient http)
        {
            var samples = new Dictionary<string, double>();
            foreach (var line in (await FetchAsync(http, "/metrics")).Split('\n'))
                if (line.Length > 0 && line[0] != '#' && line.LastIndexOf(' ') is var space and > 0)
                    samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            return samples;
        }

        private static async Task<string> FetchAsync(HttpClient http, string path)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
            return body;
        }
    }
}
