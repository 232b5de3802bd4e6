using System.Diagnostics;
using Srs.Integration.Tests.Harness;
using Srs.Protocol.Rtmp.Handshake;
using System.Buffers;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// 200 hostile connections (garbage, truncated handshakes, absurd chunk sizes, wrongly typed or
/// truncated AMF0, lying message headers) are each closed by the server within 10 s, and the
/// node serves a normal publish and play afterwards.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class HostileClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private sealed record Attack(string Name, bool Handshake, Func<Random, byte[]> Bytes);

    private static byte[] RandomBytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    private static byte[] Connect(params byte[][] amf) => RtmpChunks.Command(0, amf);

    private static readonly Attack[] Attacks =
    [
        new("random bytes (2 KB)", false, r => RandomBytes(r, 2048)),
        new("random bytes (17) then silence", false, r => RandomBytes(r, 17)),
        new("bad RTMP version in C0", false, r => [0x06, .. RandomBytes(r, 1536)]),
        new("C0 and 700 bytes of C1, then silence", false, r => [0x03, .. RandomBytes(r, 700)]),
        new("C0C1 only, never C2", false, r => C0C1()),
        new("handshake then set chunk size 0", true, _ => RtmpChunks.SetChunkSizeMessage(0)),
        new("handshake then set chunk size 0x80000000", true, _ => RtmpChunks.SetChunkSizeMessage(0x80000000)),
        new("handshake then set chunk size 0xFFFFFFFF and garbage", true, r => [.. RtmpChunks.SetChunkSizeMessage(0xFFFFFFFF), .. RandomBytes(r, 600)]),
        new("handshake then connect with a number as command name", true, _ =>
            Connect(Amf0Bytes.Number(1), Amf0Bytes.Number(1), Amf0Bytes.Object(("app", Amf0Bytes.String("live"))))),
        new("handshake then connect with a string transaction id and a number command object", true, _ =>
            Connect(Amf0Bytes.String("connect"), Amf0Bytes.String("one"), Amf0Bytes.Number(42))),
        new("handshake then connect whose string length runs past the payload", true, _ =>
            Connect([0x02, 0x01, 0xF4, (byte)'c', (byte)'o', (byte)'n'])),
        new("handshake then an unknown AMF0 marker", true, _ => Connect([0x7E, 0x00, 0x01])),
        new("handshake then a 16 MB message header with 10 bytes of body", true, r =>
            RtmpChunks.Message(3, RtmpChunks.CommandAmf0, 0, RandomBytes(r, 10), declaredLength: 0xFFFFFF)),
        new("handshake then a continuation chunk on a chunk stream never opened", true, r => [0xC9, .. RandomBytes(r, 300)]),
        new("handshake then garbage", true, r => RandomBytes(r, 4096)),
    ];

    private static byte[] C0C1()
    {
        var w = new ArrayBufferWriter<byte>();
        new HandshakeClient().WriteC0C1(w);
        return w.WrittenSpan.ToArray();
    }

    private sealed record Outcome(int Index, string Attack, TimeSpan? ClosedAfter, string? Error);

    private static async Task<Outcome> RunAttack(int index, int port)
    {
        var attack = Attacks[index % Attacks.Length];
        var random = new Random(index);
        try
        {
            using var c = await RawRtmpConnection.ConnectAsync(port);
            if (attack.Handshake) await c.HandshakeAsync(Step);
            await c.SendAsync(attack.Bytes(random));
            return new Outcome(index, attack.Name, await c.WaitForServerCloseAsync(CloseWithin), null);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // The server closed (or reset) before we finished sending: closed at once.
            return new Outcome(index, attack.Name, TimeSpan.Zero, e.Message);
        }
    }

    [Fact]
    public async Task Two_hundred_hostile_connections_are_each_closed_within_10_s_and_the_node_still_serves()
    {
        await using var s = await Scenario.StartAsync(output);
        var clock = Stopwatch.StartNew();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => RunAttack(i, s.Ports.Rtmp)));

        var open = outcomes.Where(o => o.ClosedAfter is null).ToList();
        var slowest = outcomes.Where(o => o.ClosedAfter is not null).GroupBy(o => o.Attack)
            .Select(g => $"{g.Key}: slowest close {g.Max(o => o.ClosedAfter!.Value).TotalSeconds:0.00} s").ToList();
        output.WriteLine($"200 hostile connections done in {clock.Elapsed.TotalSeconds:0.0} s\n" + string.Join("\n", slowest));
        s.Check(open.Count == 0,
            $"{open.Count} of 200 hostile connections were still open {CloseWithin.TotalSeconds} s after their last byte:\n"
            + string.Join("\n", open.GroupBy(o => o.Attack).Select(g => $"  {g.Count()} x {g.Key}"))
            + "\nclose times of the others:\n  " + string.Join("\n  ", slowest));
        s.Check(!s.Node.HasExited, "the node must survive hostile clients");
        // The silent ones are closed by the handshake timeout, which says so.
        await s.Until(() => s.Node.Log.Contains("no handshake/connect/publish/play within"), Step,
            "the handshake timeout's reason is logged for the silent clients");

        s.Publish("after");
        var player = s.PlayRtmp("after", readSeconds: 3);
        s.Check(await player.WaitForExitAsync(TimeSpan.FromSeconds(20)), "a normal player should read 3 s of media and stop within 20 s");
        s.Check(player.ExitCode == 0 && player.VideoFrames >= 2 * FfmpegPublisher.Fps,
            $"after the hostile clients a normal publish/play must work: exit {player.ExitCode}, {player.VideoFrames} video frames");
        var ready = await s.Api.GetStatusAsync("api/v1/health/ready");
        s.Check(ready == System.Net.HttpStatusCode.OK, $"health/ready should still be 200, got {ready}");
    }
}
