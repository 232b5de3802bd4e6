using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Handshake;
using static Srs.Protocol.Tests.Handshake.HandshakeReference;

namespace Srs.Protocol.Tests.Handshake;

public class HandshakeClientTests
{
    private static readonly byte[] ServerVersion = [0x04, 0x05, 0x00, 0x01];
    private static readonly byte[] ZeroVersion = [0, 0, 0, 0];

    private static byte[] C0C1(HandshakeClient client)
    {
        var output = new ArrayBufferWriter<byte>();
        client.WriteC0C1(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Feeds S0S1S2 (+ trailing bytes) and returns the C2 written and what is left.</summary>
    private static (byte[] C2, byte[] Left) Answer(HandshakeClient client, byte[] s1, params byte[] trailing)
    {
        var input = new ReadOnlySequence<byte>([3, .. s1, .. Packet(20, ZeroVersion), .. trailing]);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(client.TryAdvance(ref input, output));
        Assert.True(client.IsComplete);
        return (output.WrittenSpan.ToArray(), input.ToArray());
    }

    [Fact]
    public void Digest_C1_carries_a_version_and_a_schema0_digest()
    {
        var c0c1 = C0C1(new HandshakeClient());

        Assert.Equal(1537, c0c1.Length);
        Assert.Equal(3, c0c1[0]);
        var c1 = c0c1[1..];
        Assert.Equal([0x80, 0x00, 0x07, 0x02], c1[4..8]);
        Assert.True(HasDigest(c1, 0, FpKey));
    }

    [Fact]
    public void Simple_C1_has_a_zero_version_field_and_no_digest()
    {
        var c0c1 = C0C1(new HandshakeClient(useDigest: false));

        Assert.Equal(1537, c0c1.Length);
        Assert.Equal(3, c0c1[0]);
        var c1 = c0c1[1..];
        Assert.Equal(ZeroVersion, c1[4..8]);
        Assert.False(HasDigest(c1, 0, FpKey));
        Assert.False(HasDigest(c1, 1, FpKey));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Digest_server_gets_a_signed_C2(int schema)
    {
        var client = new HandshakeClient();
        C0C1(client);
        var s1 = DigestPacket(21, ServerVersion, schema, FmsKey);

        var (c2, _) = Answer(client, s1);

        Assert.Equal(1536, c2.Length);
        Assert.True(IsSignedResponse(c2, DigestAt(s1, schema), FpFullKey));
    }

    [Fact]
    public void Simple_server_gets_S1_echoed()
    {
        var client = new HandshakeClient();
        C0C1(client);
        var s1 = Packet(22, ZeroVersion);

        var (c2, _) = Answer(client, s1);

        Assert.Equal(s1, c2);
    }

    [Fact]
    public void Simple_client_echoes_S1_even_when_it_carries_a_digest()
    {
        var client = new HandshakeClient(useDigest: false);
        C0C1(client);
        var s1 = DigestPacket(23, ServerVersion, 0, FmsKey);

        var (c2, _) = Answer(client, s1);

        Assert.Equal(s1, c2);
    }

    [Fact]
    public void Waits_for_all_of_S0S1S2_and_leaves_what_follows()
    {
        var client = new HandshakeClient();
        C0C1(client);
        byte[] stream = [3, .. Packet(24, ZeroVersion), .. Packet(25, ZeroVersion), 0x02, 0x03];
        var output = new ArrayBufferWriter<byte>();

        var partial = new ReadOnlySequence<byte>(stream[..3072]);
        Assert.False(client.TryAdvance(ref partial, output));
        Assert.Equal(3072, partial.Length);
        Assert.Equal(0, output.WrittenCount);

        var all = Segments.Of(stream, 1, 1537, 3000);
        Assert.True(client.TryAdvance(ref all, output));
        Assert.Equal([0x02, 0x03], all.ToArray());
        Assert.Equal(1536, output.WrittenCount);
    }

    [Fact]
    public void Bad_S0_version_throws()
    {
        var client = new HandshakeClient();
        C0C1(client);
        var input = new ReadOnlySequence<byte>([6]);

        Assert.Throws<RtmpProtocolException>(() => client.TryAdvance(ref input, new ArrayBufferWriter<byte>()));
    }
}
