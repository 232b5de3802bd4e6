namespace Srs.Integration.Tests.Harness;

/// <summary>Splits an ffprobe "-of compact" line ("section|key=value|key=value") into its fields.</summary>
public static class CompactLine
{
    public static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in line.Split('|').Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq > 0) fields[part[..eq]] = part[(eq + 1)..];
        }
        return fields;
    }
}
