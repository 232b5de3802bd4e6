using System.Buffers;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp;

namespace Srs.Protocol.Tests;

public class Amf0Tests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static byte[] Encode(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteValue(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    private static object? Decode(byte[] bytes)
    {
        var reader = new Amf0Reader(bytes);
        var value = reader.ReadValue();
        Assert.True(reader.End, "the value should use every byte");
        return value;
    }

    private static void AssertRejected(byte[] bytes) =>
        Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(bytes).ReadValue());

    // ---- Fixed vectors from the AMF0 specification ----

    [Theory]
    [InlineData(1.0, "00 3F F0 00 00 00 00 00 00")]
    [InlineData(0.0, "00 00 00 00 00 00 00 00 00")]
    [InlineData(-2.5, "00 C0 04 00 00 00 00 00 00")]
    [InlineData(1935.0, "00 40 9E 3C 00 00 00 00 00")]
    public void Number_MatchesSpecBytes(double value, string hex)
    {
        Assert.Equal(Hex(hex), Encode(value));
        Assert.Equal(value, Decode(Hex(hex)));
    }

    [Fact]
    public void Boolean_MatchesSpecBytes()
    {
        Assert.Equal(Hex("01 01"), Encode(true));
        Assert.Equal(Hex("01 00"), Encode(false));
        Assert.Equal(true, Decode(Hex("01 7F"))); // Any non-zero byte is true.
    }

    [Fact]
    public void String_MatchesSpecBytes()
    {
        Assert.Equal(Hex("02 00 04 6C 69 76 65"), Encode("live"));
        Assert.Equal(Hex("02 00 00"), Encode(""));
        Assert.Equal(Hex("02 00 03 E4 B8 AD"), Encode("中")); // Length counts UTF-8 bytes.
        Assert.Equal("中", Decode(Hex("02 00 03 E4 B8 AD")));
    }

    [Fact]
    public void NullAndUndefined_MatchSpecBytes()
    {
        Assert.Equal(Hex("05"), Encode(null));
        Assert.Equal(Hex("06"), Encode(Amf0Undefined.Instance));
        Assert.Null(Decode(Hex("05")));
        Assert.Same(Amf0Undefined.Instance, Decode(Hex("06")));
    }

    [Fact]
    public void Object_MatchesSpecBytes()
    {
        var bytes = Hex("03 00 01 61 00 3F F0 00 00 00 00 00 00 00 01 62 02 00 01 78 00 00 09");
        Assert.Equal(bytes, Encode(new Amf0Object().Add("a", 1.0).Add("b", "x")));

        var obj = Assert.IsType<Amf0Object>(Decode(bytes));
        Assert.False(obj.IsEcmaArray);
        Assert.Equal(["a", "b"], obj.Select(p => p.Key));
        Assert.Equal(1.0, obj.GetNumber("a"));
        Assert.Equal("x", obj.GetString("b"));
    }

    [Fact]
    public void EcmaArray_MatchesSpecBytes()
    {
        var bytes = Hex("08 00 00 00 01 00 05 77 69 64 74 68 00 40 94 00 00 00 00 00 00 00 00 09");
        Assert.Equal(bytes, Encode(new Amf0Object(isEcmaArray: true).Add("width", 1280.0)));

        var obj = Assert.IsType<Amf0Object>(Decode(bytes));
        Assert.True(obj.IsEcmaArray);
        Assert.Equal(1280.0, obj.GetNumber("width"));
    }

    [Fact]
    public void StrictArray_MatchesSpecBytes()
    {
        var bytes = Hex("0A 00 00 00 02 00 3F F0 00 00 00 00 00 00 02 00 01 61");
        Assert.Equal(bytes, Encode(new object?[] { 1.0, "a" }));
        Assert.Equal(new object?[] { 1.0, "a" }, Assert.IsType<object?[]>(Decode(bytes)));
    }

    [Fact]
    public void Date_MatchesSpecBytes()
    {
        // 2020-01-01T00:00:00Z is 1577836800000 ms after the epoch; time zone 0.
        var bytes = Hex("0B 42 76 F5 E6 6E 80 00 00 00 00");
        var date = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(bytes, Encode(date));
        var read = Assert.IsType<DateTime>(Decode(bytes));
        Assert.Equal(date, read);
        Assert.Equal(DateTimeKind.Utc, read.Kind);
    }

    [Fact]
    public void LongString_UsedPast65535Bytes()
    {
        var exact = new string('a', 65535);
        Assert.Equal(Amf0Marker.String, Encode(exact)[0]);

        var longer = new string('a', 70000);
        var bytes = Encode(longer);
        Assert.Equal(Hex("0C 00 01 11 70"), bytes[..5]);
        Assert.Equal(5 + 70000, bytes.Length);
        Assert.Equal(longer, Decode(bytes));
    }

    // ---- Round trips ----

    public static TheoryData<object?> RoundTripValues() => new()
    {
        0.0, -1.5, double.MaxValue, double.NegativeInfinity, true, false, "", "hello", "日本語",
        new string('x', 100_000), new DateTime(1999, 12, 31, 23, 59, 59, 123, DateTimeKind.Utc),
        new DateTime(1960, 5, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    [Theory]
    [MemberData(nameof(RoundTripValues))]
    public void Scalars_RoundTrip(object? value) => Assert.Equal(value, Decode(Encode(value)));

    [Fact]
    public void NestedValues_RoundTrip()
    {
        var original = new Amf0Object()
            .Add("n", 42.0).Add("b", true).Add("s", "str").Add("null", null).Add("u", Amf0Undefined.Instance)
            .Add("d", new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc))
            .Add("ecma", new Amf0Object(isEcmaArray: true).Add("x", 1.0).Add("", "empty key"))
            .Add("arr", new object?[] { 1.0, null, new object?[] { "deep" }, new Amf0Object().Add("k", false) })
            .Add("long", new string('L', 70_000));

        var read = Assert.IsType<Amf0Object>(Decode(Encode(original)));
        Assert.Equal(Encode(original), Encode(read));
        Assert.Equal(original.Select(p => p.Key), read.Select(p => p.Key));
        Assert.Same(Amf0Undefined.Instance, read["u"]);
        Assert.Equal("empty key", ((Amf0Object)read["ecma"]!)[""]);
        var arr = Assert.IsType<object?[]>(read["arr"]);
        Assert.Equal("deep", Assert.IsType<object?[]>(arr[2])[0]);
    }

    [Fact]
    public void SeveralValues_ReadInSequence()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteValue(buffer, "a");
        Amf0Writer.WriteValue(buffer, 2.0);
        Amf0Writer.WriteValue(buffer, null);
        var reader = new Amf0Reader(buffer.WrittenSpan);
        Assert.Equal("a", reader.ReadValue());
        Assert.Equal(2.0, reader.ReadValue());
        Assert.False(reader.End);
        Assert.Null(reader.ReadValue());
        Assert.True(reader.End);
        Assert.Equal(buffer.WrittenCount, reader.Position);
    }

    // ---- Writer conversions ----

    [Fact]
    public void Writer_ConvertsOtherNumericTypesToDouble()
    {
        var one = Encode(1.0);
        Assert.Equal(one, Encode(1));
        Assert.Equal(one, Encode(1L));
        Assert.Equal(one, Encode(1u));
        Assert.Equal(one, Encode(1f));
        Assert.Equal(one, Encode((short)1));
        Assert.Equal(one, Encode((byte)1));
    }

    [Fact]
    public void Writer_WritesEnumerablesAsStrictArrays()
    {
        var expected = Encode(new object?[] { "a", "b" });
        Assert.Equal(expected, Encode(new List<object?> { "a", "b" }));
        Assert.Equal(expected, Encode(new[] { "a", "b" }.Select(s => s)));
    }

    [Fact]
    public void Writer_ConvertsLocalDatesToUtc()
    {
        var utc = new DateTime(2021, 6, 1, 8, 30, 0, DateTimeKind.Utc);
        Assert.Equal(Encode(utc), Encode(utc.ToLocalTime()));
        Assert.Equal(Encode(utc), Encode(new DateTimeOffset(utc)));
    }

    [Fact]
    public void Writer_RejectsUnsupportedTypes()
    {
        Assert.Throws<ArgumentException>(() => Encode(Guid.NewGuid()));
        Assert.Throws<ArgumentException>(() => Encode(new object()));
        Assert.Throws<ArgumentException>(() => Encode(new Amf0Object().Add("x", 'c')));
    }

    [Fact]
    public void Writer_RejectsCycles()
    {
        var array = new object?[1];
        array[0] = array;
        Assert.Throws<ArgumentException>(() => Encode(array));
    }

    // ---- Tolerance, as SRS and ffmpeg ----

    [Theory]
    [InlineData("08 00 00 00 05 00 01 61 05 00 00 09")] // Count says 5, one property.
    [InlineData("08 00 00 00 00 00 01 61 05 00 01 62 05 00 00 09")] // Count says 0, two properties.
    [InlineData("08 FF FF FF FF 00 01 61 05 00 00 09")] // Absurd count: only a hint.
    public void EcmaArray_CountIsOnlyAHint(string hex)
    {
        var obj = Assert.IsType<Amf0Object>(Decode(Hex(hex)));
        Assert.True(obj.IsEcmaArray);
        Assert.True(obj.TryGetValue("a", out _));
    }

    [Fact]
    public void EcmaArray_MayEndWithTheDataWithoutEndMarker()
    {
        var obj = Assert.IsType<Amf0Object>(Decode(Hex("08 00 00 00 01 00 01 61 01 01")));
        Assert.Equal(true, obj["a"]);
    }

    [Fact]
    public void Nesting_UpTo32Levels_IsAccepted()
    {
        object? value = 1.0;
        for (var i = 0; i < Amf0Reader.MaxDepth; i++) value = new Amf0Object().Add("k", value);
        Assert.IsType<Amf0Object>(Decode(Encode(value)));
    }

    // ---- Rejection ----

    [Theory]
    [InlineData("")]
    [InlineData("00 3F F0 00")] // Truncated number.
    [InlineData("01")] // Boolean without its byte.
    [InlineData("02 00 05 61 62")] // String shorter than its length.
    [InlineData("02 00")] // String length cut.
    [InlineData("0C FF FF FF FF 61")] // Long string length beyond the data.
    [InlineData("03 00 01 61 05")] // Object without end marker.
    [InlineData("03 00 01 61")] // Property without value.
    [InlineData("03 00 00")] // Empty key, then nothing.
    [InlineData("08 00 00")] // ECMA count cut.
    [InlineData("08 00 00 00 01 00 01 61")] // ECMA property without value.
    [InlineData("0A FF FF FF FF 05")] // Strict array count far beyond the data.
    [InlineData("0A 00 00 00 02 05")] // Strict array short by one value.
    [InlineData("0B 42 76 F5 E6 6E 80 00 00 00")] // Date without its full time zone.
    [InlineData("0B 7F F8 00 00 00 00 00 00 00 00")] // Date NaN.
    [InlineData("0B 7F EF FF FF FF FF FF FF 00 00")] // Date beyond DateTime.
    [InlineData("07 00 01")] // Reference.
    [InlineData("09")] // Object end as a value.
    [InlineData("04")] // MovieClip (reserved).
    [InlineData("0D")] // Unsupported.
    [InlineData("0F 00 00 00 00")] // XML document.
    [InlineData("10 00 01 61 00 00 09")] // Typed object.
    [InlineData("11 01")] // AVM+ (AMF3 switch).
    [InlineData("FF")]
    public void Malformed_ThrowsRtmpProtocolException(string hex) => AssertRejected(Hex(hex));

    [Fact]
    public void Nesting_Beyond32Levels_IsRejected()
    {
        // 33 nested objects (and strict arrays), built by hand as the writer refuses to make them.
        AssertRejected([.. Enumerable.Repeat(Hex("03 00 01 6B"), 33).SelectMany(b => b), 0x05]);
        AssertRejected([.. Enumerable.Repeat(Hex("0A 00 00 00 01"), 33).SelectMany(b => b), 0x05]);
        AssertRejected([.. Enumerable.Repeat(Hex("0A 00 00 00 01"), 100_000).SelectMany(b => b)]);
    }

    [Fact]
    public void EveryTruncation_OfAValidEncoding_IsRejected()
    {
        var full = Encode(new Amf0Object()
            .Add("s", "text").Add("n", 1.0).Add("d", DateTime.UnixEpoch)
            .Add("a", new object?[] { true, null, Amf0Undefined.Instance, new string('z', 70_000) })
            .Add("o", new Amf0Object().Add("x", 2.0)));
        for (var length = 0; length < full.Length; length += length < 200 ? 1 : 997)
            AssertRejected(full[..length]);
    }

    [Fact]
    public void Fuzz_OnlyRtmpProtocolExceptionEscapes()
    {
        var random = new Random(12345);
        var seeds = new[]
        {
            Encode(new Amf0Object().Add("app", "live").Add("n", 3.0).Add("arr", new object?[] { 1.0, "x" })),
            Encode(new Amf0Object(isEcmaArray: true).Add("d", DateTime.UnixEpoch).Add("b", false)),
            Hex("0A 00 00 00 03 08 00 00 00 00 00 00 09 05 06"),
        };
        const string markers = "\u0000\u0001\u0002\u0003\u0005\u0006\u0008\u0009\u000A\u000B\u000C";

        for (var i = 0; i < 5000; i++)
        {
            byte[] buffer;
            switch (i % 3)
            {
                case 0: // Random bytes, biased towards valid markers so parsing gets deep.
                    buffer = new byte[random.Next(0, 64)];
                    random.NextBytes(buffer);
                    for (var j = 0; j < buffer.Length; j += random.Next(1, 6))
                        buffer[j] = (byte)markers[random.Next(markers.Length)];
                    break;
                case 1: // A valid encoding with a few bytes flipped.
                    buffer = (byte[])seeds[random.Next(seeds.Length)].Clone();
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                        buffer[random.Next(buffer.Length)] = (byte)random.Next(256);
                    break;
                default: // A valid encoding cut anywhere.
                    var seed = seeds[random.Next(seeds.Length)];
                    buffer = seed[..random.Next(seed.Length)];
                    break;
            }

            try
            {
                var reader = new Amf0Reader(buffer);
                while (!reader.End) reader.ReadValue();
            }
            catch (RtmpProtocolException)
            {
                // Expected for most inputs; anything else fails the test.
            }
        }
    }
}
