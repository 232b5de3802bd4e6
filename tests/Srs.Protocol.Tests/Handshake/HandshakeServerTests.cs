using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Handshake;
using static Srs.Protocol.Tests.Handshake.HandshakeReference;

namespace Srs.Protocol.Tests.Handshake;

public class HandshakeServerTests
{
    private static readonly byte[] FlashVersion = [0x80, 0x00, 0x07, 0x02];
    private static readonly byte[] ZeroVersion = [0, 0, 0, 0];

    private static byte[] C0C1(byte[] c1) => [3, .. c1];

    private static byte[] C2(int seed) => Packet(seed, ZeroVersion);

    /// <summary>Runs C0C1 + C2 (+ trailing bytes) through a server in one go.</summary>
    private static (HandshakeServer Server, byte[] S0S1S2, byte[] Left) Run(byte[] c1, params byte[] trailing)
    {
        var server = new HandshakeServer();
        var input = new ReadOnlySequence<byte>([.. C0C1(c1), .. C2(9), .. trailing]);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(server.TryAdvance(ref input, output));
        return (server, output.WrittenSpan.ToArray(), input.ToArray());
    }

    private static byte[] S1(byte[] s0s1s2) => s0s1s2[1..1537];

    private static byte[] S2(byte[] s0s1s2) => s0s1s2[1537..];

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    public void Digest_C1_is_detected_and_answered_in_the_same_schema(int schema, int seed)
    {
        var c1 = DigestPacket(seed, FlashVersion, schema, FpKey);

        var (server, s0s1s2, _) = Run(c1);

        Assert.True(server.UsedDigest);
        Assert.True(server.IsComplete);
        Assert.Equal(1 + 1536 + 1536, s0s1s2.Length);
        Assert.Equal(3, s0s1s2[0]);
        var s1 = S1(s0s1s2);
        Assert.NotEqual(ZeroVersion, s1[4..8]);
        Assert.True(HasDigest(s1, schema, FmsKey));
        Assert.False(HasDigest(s1, 1 - schema, FmsKey));
        Assert.True(IsSignedResponse(S2(s0s1s2), DigestAt(c1, schema), FmsFullKey));
    }

    [Fact]
    public void Fixed_c1_vector_has_known_offsets_and_digests()
    {
        // Pins the test vector itself: bytes 8..11 and 772..775 and the offsets they lead to.
        var c1 = Packet(1, FlashVersion);
        Assert.Equal([0xBB, 0xC2, 0xC9, 0xD0], c1[8..12]);
        Assert.Equal(74, DigestOffset(c1, 0)); // (0xBB + 0xC2 + 0xC9 + 0xD0) = 790; 790 % 728 + 12
        Assert.Equal(882, DigestOffset(c1, 1));

        // Digests computed outside .NET (Python hmac) for the same bytes.
        Assert.Equal("D7BB88F2EDC1EB0944AD0D38043FC5AC690D4C24DF9D5ED3BDF83AC3A895C712",
            Convert.ToHexString(DigestAt(DigestPacket(1, FlashVersion, 0, FpKey), 0)));
        Assert.Equal("77843A7941D29542D8EA7B632422512D497BCFE47876DE6E7510B13461EA210A",
            Convert.ToHexString(DigestAt(DigestPacket(1, FlashVersion, 1, FpKey), 1)));
    }

    [Fact]
    public void Ffmpeg_c0c1_is_answered_with_a_digest_handshake()
    {
        var c0c1 = FfmpegC0C1.Bytes;
        var c1 = c0c1[1..];
        Assert.Equal(FfmpegC0C1.DigestOffset, DigestOffset(c1, 0));
        Assert.True(HasDigest(c1, 0, FpKey));

        var (server, s0s1s2, _) = Run(c1);

        Assert.True(server.UsedDigest);
        var s1 = S1(s0s1s2);
        Assert.True(HasDigest(s1, 0, FmsKey));
        // ffmpeg (as a player) only checks S1/S2 when S1's first version byte is >= 3.
        Assert.True(s1[4] >= 3);
        Assert.True(IsSignedResponse(S2(s0s1s2), c1[FfmpegC0C1.DigestOffset..(FfmpegC0C1.DigestOffset + 32)], FmsFullKey));
    }

    [Fact]
    public void Simple_c1_gets_its_echo_in_S2()
    {
        var c1 = Packet(3, ZeroVersion);

        var (server, s0s1s2, _) = Run(c1);

        Assert.False(server.UsedDigest);
        Assert.Equal(3, s0s1s2[0]);
        Assert.Equal(ZeroVersion, S1(s0s1s2)[4..8]);
        Assert.Equal(c1, S2(s0s1s2));
    }

    [Fact]
    public void C1_with_a_version_but_a_wrong_digest_falls_back_to_simple()
    {
        var c1 = DigestPacket(4, FlashVersion, 0, FpKey);
        c1[DigestOffset(c1, 0)] ^= 0xFF;

        var (server, s0s1s2, _) = Run(c1);

        Assert.False(server.UsedDigest);
        Assert.Equal(c1, S2(s0s1s2));
    }

    [Fact]
    public void C1_signed_with_the_server_key_is_not_a_valid_client_digest()
    {
        var c1 = DigestPacket(5, FlashVersion, 1, FmsKey);

        var (server, _, _) = Run(c1);

        Assert.False(server.UsedDigest);
    }

    [Fact]
    public void Bytes_after_C2_stay_in_the_input()
    {
        var (_, _, left) = Run(DigestPacket(6, FlashVersion, 0, FpKey), 0x02, 0x00, 0x00, 0x00, 0xAA);

        Assert.Equal([0x02, 0x00, 0x00, 0x00, 0xAA], left);
    }

    [Fact]
    public void Waits_for_all_of_C0C1_without_consuming_or_writing()
    {
        var server = new HandshakeServer();
        var input = new ReadOnlySequence<byte>(C0C1(Packet(7, ZeroVersion))[..1536]);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(server.TryAdvance(ref input, output));

        Assert.Equal(1536, input.Length);
        Assert.Equal(0, output.WrittenCount);
        Assert.False(server.IsComplete);
    }

    [Fact]
    public void Answers_C0C1_at_once_then_waits_for_C2()
    {
        var server = new HandshakeServer();
        var output = new ArrayBufferWriter<byte>();
        var c2 = C2(8);
        var input = new ReadOnlySequence<byte>([.. C0C1(Packet(8, ZeroVersion)), .. c2[..100]]);

        Assert.False(server.TryAdvance(ref input, output));
        Assert.Equal(3073, output.WrittenCount);
        Assert.Equal(100, input.Length);

        input = new ReadOnlySequence<byte>([.. c2, 0x42]);
        Assert.True(server.TryAdvance(ref input, output));
        Assert.Equal(3073, output.WrittenCount);
        Assert.Equal([0x42], input.ToArray());

        // Complete: further calls leave the chunk stream alone.
        Assert.True(server.TryAdvance(ref input, output));
        Assert.Equal(1, input.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Byte_by_byte_gives_the_same_answer_as_all_at_once(int schema)
    {
        var c1 = schema < 0 ? Packet(10, ZeroVersion) : DigestPacket(10, FlashVersion, schema, FpKey);
        byte[] stream = [.. C0C1(c1), .. C2(10), 0x07];
        var server = new HandshakeServer();
        var output = new ArrayBufferWriter<byte>();
        var buffered = new List<byte>();
        var completedAt = -1;

        for (var i = 0; i < stream.Length && completedAt < 0; i++)
        {
            buffered.Add(stream[i]);
            var input = new ReadOnlySequence<byte>(buffered.ToArray());
            if (server.TryAdvance(ref input, output))
                completedAt = i;
            buffered = [.. input.ToArray()];
        }

        Assert.Equal(1537 + 1536 - 1, completedAt);
        Assert.Empty(buffered);
        Assert.Equal(schema >= 0, server.UsedDigest);
        var s0s1s2 = output.WrittenSpan.ToArray();
        Assert.Equal(3073, s0s1s2.Length);
        if (schema >= 0)
        {
            Assert.True(HasDigest(S1(s0s1s2), schema, FmsKey));
            Assert.True(IsSignedResponse(S2(s0s1s2), DigestAt(c1, schema), FmsFullKey));
        }
        else
        {
            Assert.Equal(c1, S2(s0s1s2));
        }
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 1, 2, 3, 9, 300, 1536 })]
    [InlineData(new[] { 700, 1537, 1538, 3000 })]
    [InlineData(new[] { 1000, 2000, 3072 })]
    public void Multi_segment_input_gives_the_same_answer(int[] cuts)
    {
        var c1 = DigestPacket(11, FlashVersion, 1, FpKey);
        byte[] stream = [.. C0C1(c1), .. C2(11), 0xC3, 0x14];
        var server = new HandshakeServer();
        var input = Segments.Of(stream, cuts);
        var output = new ArrayBufferWriter<byte>();

        Assert.True(server.TryAdvance(ref input, output));

        Assert.True(server.UsedDigest);
        Assert.Equal([0xC3, 0x14], input.ToArray());
        var s0s1s2 = output.WrittenSpan.ToArray();
        Assert.True(HasDigest(S1(s0s1s2), 1, FmsKey));
        Assert.True(IsSignedResponse(S2(s0s1s2), DigestAt(c1, 1), FmsFullKey));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(0)]
    [InlineData((int)'G')]
    public void Bad_C0_version_throws_as_soon_as_it_arrives(int version)
    {
        var server = new HandshakeServer();
        var input = new ReadOnlySequence<byte>([(byte)version]);

        var error = Assert.Throws<RtmpProtocolException>(
            () => server.TryAdvance(ref input, new ArrayBufferWriter<byte>()));
        Assert.Contains("version", error.Message);
    }

    [Fact]
    public void Empty_input_is_not_an_error()
    {
        var server = new HandshakeServer();
        var input = ReadOnlySequence<byte>.Empty;

        Assert.False(server.TryAdvance(ref input, new ArrayBufferWriter<byte>()));
    }
}
