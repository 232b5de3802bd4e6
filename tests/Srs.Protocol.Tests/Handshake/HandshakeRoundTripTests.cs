using System.Buffers;
using Srs.Protocol.Rtmp.Handshake;
using static Srs.Protocol.Tests.Handshake.HandshakeReference;

namespace Srs.Protocol.Tests.Handshake;

public class HandshakeRoundTripTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Client_and_server_complete(bool useDigest)
    {
        var client = new HandshakeClient(useDigest);
        var server = new HandshakeServer();
        var toServer = new ArrayBufferWriter<byte>();
        var toClient = new ArrayBufferWriter<byte>();

        client.WriteC0C1(toServer);
        var c0c1 = toServer.WrittenSpan.ToArray();
        var serverInput = new ReadOnlySequence<byte>(c0c1);
        Assert.False(server.TryAdvance(ref serverInput, toClient));
        Assert.True(serverInput.IsEmpty);

        var s0s1s2 = toClient.WrittenSpan.ToArray();
        var clientInput = new ReadOnlySequence<byte>(s0s1s2);
        toServer.Clear();
        Assert.True(client.TryAdvance(ref clientInput, toServer));
        Assert.True(clientInput.IsEmpty);

        var c2 = toServer.WrittenSpan.ToArray();
        serverInput = new ReadOnlySequence<byte>([.. c2, 0x03]);
        Assert.True(server.TryAdvance(ref serverInput, toClient));
        Assert.Equal([0x03], serverInput.ToArray());

        Assert.True(client.IsComplete);
        Assert.True(server.IsComplete);
        Assert.Equal(useDigest, server.UsedDigest);
        if (useDigest)
        {
            // Each side's answer is signed for the other's digest.
            var c1 = c0c1[1..];
            var s1 = s0s1s2[1..1537];
            Assert.True(IsSignedResponse(s0s1s2[1537..], DigestAt(c1, 0), FmsFullKey));
            Assert.True(HasDigest(s1, 0, FmsKey));
            Assert.True(IsSignedResponse(c2, DigestAt(s1, 0), FpFullKey));
        }
        else
        {
            Assert.Equal(c0c1[1..], s0s1s2[1537..]);
            Assert.Equal(s0s1s2[1..1537], c2);
        }
    }

    [Fact]
    public void Byte_by_byte_in_both_directions_completes()
    {
        var client = new HandshakeClient();
        var server = new HandshakeServer();
        var toServer = new ArrayBufferWriter<byte>();
        var toClient = new ArrayBufferWriter<byte>();
        client.WriteC0C1(toServer);

        Drip(toServer, (ref ReadOnlySequence<byte> input) => server.TryAdvance(ref input, toClient), expectComplete: false);
        toServer.Clear();
        Drip(toClient, (ref ReadOnlySequence<byte> input) => client.TryAdvance(ref input, toServer), expectComplete: true);
        Drip(toServer, (ref ReadOnlySequence<byte> input) => server.TryAdvance(ref input, toClient), expectComplete: true);

        Assert.True(server.UsedDigest);
        Assert.Equal(3073, toClient.WrittenCount);
    }

    private delegate bool Step(ref ReadOnlySequence<byte> input);

    /// <summary>Delivers the written bytes one at a time; only the last may complete the step.</summary>
    private static void Drip(ArrayBufferWriter<byte> written, Step step, bool expectComplete)
    {
        var bytes = written.WrittenSpan.ToArray();
        var buffered = new List<byte>();
        for (var i = 0; i < bytes.Length; i++)
        {
            buffered.Add(bytes[i]);
            var input = new ReadOnlySequence<byte>(buffered.ToArray());
            var complete = step(ref input);
            buffered = [.. input.ToArray()];
            Assert.Equal(expectComplete && i == bytes.Length - 1, complete);
        }

        Assert.Empty(buffered);
    }
}
