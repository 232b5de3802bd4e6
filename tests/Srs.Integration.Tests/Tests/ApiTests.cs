using System.Net;
using System.Text.Json;
using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>Section 7: the HTTP API shows streams and clients, and a kick disconnects exactly that client.</summary>
public sealed class ApiTests(ITestOutputHelper output, SharedNode shared) : IClassFixture<SharedNode>
{
    private const int Fps = FfmpegPublisher.Fps;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Api_shows_the_stream_and_its_clients_and_a_kick_disconnects_exactly_that_client()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        var publisher = s.Publish("api");
        await s.Until(async () => (await s.Api.FindStreamAsync("api"))?.PublishActive == true, Wait, "the API shows live/api published");

        // Start players one by one so each new rtmp-play client id belongs to a known process.
        var players = new List<(FfprobePlayer Player, string Id)>();
        foreach (var name in new[] { "A", "B", "C" })
        {
            var known = players.Select(p => p.Id).ToHashSet();
            var player = s.PlayRtmp("api", name: $"player {name}");
            string? id = null;
            await s.Until(async () =>
            {
                id = (await s.Api.ClientsOfAsync("api")).FirstOrDefault(c => c.Type == ClientInfo.RtmpPlay && !known.Contains(c.Id))?.Id;
                return id is not null;
            }, Wait, $"the API lists player {name} as a new rtmp-play client");
            players.Add((player, id!));
        }
        await s.Until(() => players.All(p => p.Player.VideoFrames >= Fps), Wait, "every player receives video");

        // The stream.
        var stream = (await s.Api.FindStreamAsync("api"))!;
        s.Check(stream.Vhost == "__defaultVhost__", $"default vhost expected: {stream}");
        s.Check(stream.PublishActive, $"publish.active expected: {stream}");
        s.Check(stream.Clients == 4, $"3 players and the publisher (SRS counts it) expected in clients: {stream}");
        s.Check(stream.VideoCodec == "H264" && stream.Width == 320 && stream.Height == 240, $"video H264 320x240 expected: {stream}");
        s.Check(stream.AudioCodec == "AAC" && stream.SampleRate == 44100, $"audio AAC 44100 expected: {stream}");
        s.Check(stream.Frames > 0, $"frames should count the published video: {stream}");
        await s.Until(async () => (await s.Api.FindStreamAsync("api"))!.Frames >= stream.Frames + Fps, Wait, "the stream's frames rise");

        var one = (await s.Api.GetAsync($"api/v1/streams/{stream.Id}")).EnsureOk();
        var single = StreamInfo.Parse(one.Json.Req("stream"));
        s.Check(single.Id == stream.Id && single.Name == "api" && single.App == "live", $"GET /api/v1/streams/{stream.Id}: {one}");
        // SRS's field names, in SRS's order (snake_case except its own tcUrl, pageUrl, swfUrl).
        CheckFields(s, one.Json.Req("stream"), "id name vhost app tcUrl url live_ms clients frames send_bytes recv_bytes kbps publish video audio pid");
        CheckFields(s, one.Json.Req("stream").Req("kbps"), "recv_30s send_30s");
        CheckFields(s, one.Json.Req("stream").Req("audio"), "codec sample_rate channel profile");

        // The clients.
        var clients = await s.Api.ClientsAsync();
        var pub = clients.SingleOrDefault(c => c.Type == ClientInfo.FmlePublish && (c.Stream == stream.Id || c.Stream == stream.Name));
        s.Check(pub is { Publish: true }, $"one fmle-publish client with publish=true expected: [{string.Join(", ", clients)}]");
        s.Check(pub!.Id == stream.PublishCid, $"publish.cid ({stream.PublishCid}) should be the publisher's client id ({pub.Id})");
        foreach (var (player, id) in players)
        {
            var c = clients.SingleOrDefault(c => c.Id == id);
            s.Check(c is { Type: ClientInfo.RtmpPlay, Publish: false }, $"{player.Process.Name} ({id}) should be rtmp-play: {c}");
            s.Check(c!.Stream == stream.Id || c.Stream == stream.Name, $"client {id} should name its stream ({stream.Id} or {stream.Name}): {c}");
            s.Check(c.TcUrl?.Contains("/live") == true, $"client {id} tcUrl should name the app: {c}");
            s.Check(c.Ip == "127.0.0.1", $"client {id} ip: {c}");
        }
        var (a, b, c3) = (players[0], players[1], players[2]);
        var getB = (await s.Api.GetAsync($"api/v1/clients/{b.Id}")).EnsureOk();
        s.Check(getB.Json.Req("client").Str("id") == b.Id, $"GET /api/v1/clients/{b.Id}: {getB}");
        CheckFields(s, getB.Json.Req("client"), "id vhost stream ip pageUrl swfUrl tcUrl url name type publish alive send_bytes recv_bytes pid");

        // Kick B.
        var kick = await s.Api.DeleteAsync($"api/v1/clients/{b.Id}");
        s.Check(kick.Status == HttpStatusCode.OK && kick.Code == 0, $"the kick should answer 200 with code 0: {kick}");
        await s.Until(() => b.Player.HasExited, TimeSpan.FromSeconds(10), "the kicked player's connection is closed (ffprobe ends)");
        await s.Until(async () => (await s.Api.ClientsAsync()).All(c => c.Id != b.Id), TimeSpan.FromSeconds(5), "the kicked client leaves the list");
        var gone = await s.Api.GetAsync($"api/v1/clients/{b.Id}");
        s.Check(gone.Status == HttpStatusCode.NotFound && gone.Code != 0, $"a kicked client should be 404 with a non-zero code: {gone}");

        // The others go on.
        var (fa, fc) = (a.Player.VideoFrames, c3.Player.VideoFrames);
        await s.Until(() => a.Player.VideoFrames >= fa + 2 * Fps && c3.Player.VideoFrames >= fc + 2 * Fps, Wait,
            "players A and C keep receiving after B was kicked");
        s.Check(!a.Player.HasExited && !c3.Player.HasExited && !publisher.HasExited, "only B may have been disconnected");
        var remaining = await s.Api.ClientsAsync();
        s.Check(remaining.Any(c => c.Id == a.Id) && remaining.Any(c => c.Id == c3.Id) && remaining.Any(c => c.Id == pub.Id),
            $"A, C and the publisher should still be listed: [{string.Join(", ", remaining)}]");
    }

    [Fact]
    public async Task A_streams_send_bytes_and_send_rate_count_what_its_players_receive_also_after_one_leaves()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        s.Publish("api-send");
        await s.Until(async () => (await s.Api.FindStreamAsync("api-send"))?.PublishActive == true, Wait, "the API shows live/api-send published");
        var rtmp = s.PlayRtmp("api-send", name: "rtmp player");
        var flv = s.PlayFlv("api-send", name: "flv player");
        await s.Until(() => rtmp.VideoFrames >= 3 * Fps && flv.VideoFrames >= 3 * Fps, Wait, "both players receive 3 s of video");

        // What the players have received, read before the API: the stream's figure can only be larger.
        var payload = rtmp.PayloadBytes + flv.PayloadBytes;
        var players = (await s.Api.ClientsOfAsync("api-send")).Where(c => !c.Publish).ToArray();
        var stream = (await s.Api.FindStreamAsync("api-send"))!;
        s.Note($"players' payload {payload} B, players' send_bytes [{string.Join(", ", players.Select(c => c.SendBytes))}], stream {stream}");
        s.Check(players.Length == 2, $"two players expected: [{string.Join(", ", players)}]");
        s.Check(stream.SendBytes >= payload, $"send_bytes ({stream.SendBytes}) should be at least the media the players received ({payload})");
        // A player's bytes from before it joined the stream (RTMP handshake and connect, a few KB) are not the stream's.
        var clientsSent = players.Sum(c => c.SendBytes);
        s.Check(stream.SendBytes >= clientsSent - 2 * 8192, $"send_bytes ({stream.SendBytes}) should be about the players' send_bytes ({clientsSent}) or more");
        await s.Until(async () => (await s.Api.FindStreamAsync("api-send"))!.Send30s > 0, Wait, "send_30s is above 0 while they play");
        await s.Until(async () => (await s.Api.FindStreamAsync("api-send"))!.SendBytes > stream.SendBytes, Wait, "send_bytes grows");

        // The RTMP player leaves: what it received stays counted.
        var leaving = players.Single(c => c.Type == ClientInfo.RtmpPlay);
        var before = (await s.Api.FindStreamAsync("api-send"))!.SendBytes;
        (await s.Api.DeleteAsync($"api/v1/clients/{leaving.Id}")).EnsureOk();
        await s.Until(async () => (await s.Api.ClientsAsync()).All(c => c.Id != leaving.Id), Wait, "the kicked player leaves the list");
        var last = before;
        for (var i = 0; i < 5; i++)
        {
            var now = (await s.Api.FindStreamAsync("api-send"))!;
            s.Check(now.SendBytes >= last, $"send_bytes should never drop: {last} then {now.SendBytes}");
            last = now.SendBytes;
            await Task.Delay(200);
        }
        var remaining = (await s.Api.ClientsOfAsync("api-send")).Single(c => c.Type == ClientInfo.FlvPlay);
        var after = (await s.Api.FindStreamAsync("api-send"))!;
        s.Note($"after the RTMP player left: stream {after.SendBytes} B, the FLV player {remaining.SendBytes} B, send_30s {after.Send30s}");
        s.Check(after.SendBytes > remaining.SendBytes + leaving.SendBytes - 8192,
            $"send_bytes ({after.SendBytes}) should hold the departed player's bytes ({leaving.SendBytes}) and the remaining one's ({remaining.SendBytes})");
        await s.Until(async () => (await s.Api.FindStreamAsync("api-send"))!.SendBytes > after.SendBytes, Wait, "send_bytes goes on growing with the remaining player");
    }

    private static void CheckFields(Scenario s, JsonElement e, string expected)
    {
        var names = string.Join(' ', e.EnumerateObject().Select(p => p.Name));
        s.Check(names == expected, $"fields expected: {expected}\n              got: {names}");
    }

    [Fact]
    public async Task Unknown_client_or_stream_is_404_with_a_non_zero_code()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "api/v1/clients/no-such-client"),
                     (HttpMethod.Delete, "api/v1/clients/no-such-client"),
                     (HttpMethod.Get, "api/v1/streams/no-such-stream"),
                 })
        {
            var r = await s.Api.SendAsync(method, path);
            s.Check(r.Status == HttpStatusCode.NotFound && r.Code != 0, $"expected HTTP 404 with a non-zero code: {r}");
        }
    }

    [Fact]
    public async Task Service_endpoints_answer()
    {
        await using var s = await Scenario.StartAsync(output, shared);

        var versions = (await s.Api.GetAsync("api/v1/versions")).EnsureOk();
        versions.Json.Req("server");
        var summaries = (await s.Api.GetAsync("api/v1/summaries")).EnsureOk();
        s.Check(summaries.Json.TryGetProperty("server", out _), $"the envelope should carry \"server\": {summaries}");
        var shutdown = summaries.Json.Req("data").Req("shutdown");
        CheckFields(s, shutdown, "phase ready reason clients");
        s.Check(shutdown.Str("phase") == "running", $"no quit has begun: {shutdown}");
        s.Check(await s.Api.GetStatusAsync("api/v1/health/live") == HttpStatusCode.OK, "health/live should be 200");
        s.Check(await s.Api.GetStatusAsync("api/v1/health/ready") == HttpStatusCode.OK, "health/ready should be 200");
        var streams = (await s.Api.GetAsync("api/v1/streams")).EnsureOk();
        streams.Json.Array("streams");

        var metrics = await s.Api.GetAsync("metrics");
        s.Check(metrics.Status == HttpStatusCode.OK, $"GET /metrics: {metrics}");
        s.Check(metrics.Body.Contains("# TYPE ") && metrics.Body.Split('\n').Any(l => l.Length > 0 && !l.StartsWith('#') && l.Contains(' ')),
            $"/metrics should be Prometheus text (# TYPE lines and samples): {metrics}");
    }
}
