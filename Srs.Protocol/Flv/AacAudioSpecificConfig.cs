namespace Srs.Protocol.Flv;

/// <summary>Sample rate, channels and profile from an AAC AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1).</summary>
/// <remarks>
/// Handles the escape codes (object type 31, frequency index 15) and explicit HE-AAC signalling,
/// where the reported rate is the SBR output rate rather than the core rate, as players show it.
/// </remarks>
internal static class AacAudioSpecificConfig
{
    private static readonly int[] SampleRates =
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    private const int ObjectTypeSbr = 5;
    private const int ObjectTypePs = 29;

    public static (int SampleRate, int Channels, string Profile)? Read(ReadOnlySpan<byte> config)
    {
        var bits = new BitReader(config);
        var objectType = ReadObjectType(ref bits);
        var sampleRate = ReadSampleRate(ref bits);
        var channelConfig = bits.Read(4);
        if (objectType < 0 || sampleRate <= 0 || channelConfig < 0) return null;

        if (objectType is ObjectTypeSbr or ObjectTypePs)
        {
            // The extension rate is what the decoder outputs; keep the core rate if it is cut short.
            var extensionRate = ReadSampleRate(ref bits);
            if (extensionRate > 0) sampleRate = extensionRate;
        }

        return (sampleRate, Channels(channelConfig), ProfileName(objectType));
    }

    public static string ProfileName(int objectType) => objectType switch
    {
        1 => "Main",
        2 => "LC",
        3 => "SSR",
        4 => "LTP",
        ObjectTypeSbr => "HE",
        ObjectTypePs => "HEv2",
        23 => "LD",
        39 => "ELD",
        _ => "Unknown",
    };

    /// <summary>Channel configuration to channel count; 0 means "given in the program config element".</summary>
    private static int Channels(int channelConfig) => channelConfig switch
    {
        >= 1 and <= 6 => channelConfig,
        7 or 12 or 14 => 8,
        11 => 7,
        13 => 24,
        _ => 0,
    };

    private static int ReadObjectType(ref BitReader bits)
    {
        var objectType = bits.Read(5);
        if (objectType != 31) return objectType;
        var extended = bits.Read(6);
        return extended < 0 ? -1 : 32 + extended;
    }

    /// <summary>The rate in Hz, or -1 when cut short or reserved.</summary>
    private static int ReadSampleRate(ref BitReader bits)
    {
        var index = bits.Read(4);
        if (index == 15) return bits.Read(24);
        return index >= 0 && index < SampleRates.Length ? SampleRates[index] : -1;
    }

    /// <summary>MSB-first bit reader that returns -1 instead of running past the end.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _bit;

        public int Read(int count)
        {
            if (_bit + count > _data.Length * 8) return -1;
            var value = 0;
            for (var i = 0; i < count; i++, _bit++)
                value = value << 1 | (_data[_bit >> 3] >> (7 - (_bit & 7))) & 1;
            return value;
        }
    }
}
