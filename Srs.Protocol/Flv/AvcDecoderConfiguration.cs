namespace Srs.Protocol.Flv;

/// <summary>Profile and level names from an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1).</summary>
internal static class AvcDecoderConfiguration
{
    /// <summary>configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication.</summary>
    public const int MinLength = 4;

    public static (string Profile, string Level)? Read(ReadOnlySpan<byte> record) =>
        record.Length < MinLength ? null : (ProfileName(record[1]), LevelName(record[3]));

    public static string ProfileName(byte profileIdc) => profileIdc switch
    {
        66 => "Baseline",
        77 => "Main",
        88 => "Extended",
        100 => "High",
        110 => "High10",
        122 => "High422",
        144 or 244 => "High444",
        _ => "Unknown",
    };

    /// <summary>level_idc is ten times the level: 31 is "3.1", 40 is "4"; 9 is level 1b.</summary>
    public static string LevelName(byte levelIdc) => levelIdc switch
    {
        9 => "1b",
        _ when levelIdc % 10 == 0 => (levelIdc / 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => $"{levelIdc / 10}.{levelIdc % 10}",
    };
}
