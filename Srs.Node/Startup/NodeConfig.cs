using Akka.Configuration;
using Srs.Actors.Configuration;

namespace Srs.Node.Startup;

/// <summary>Loads the embedded default configuration and layers the -c files over it.</summary>
public static class NodeConfig
{
    public static string DefaultText()
    {
        using var stream = typeof(NodeConfig).Assembly.GetManifestResourceStream("Srs.Node.default.conf")
            ?? throw new InvalidOperationException("embedded default.conf is missing");
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>The layered config, or an error line naming the file that could not be read or parsed.</summary>
    public static (Config? Config, string? Error) Load(IReadOnlyList<string> files)
    {
        var config = ConfigurationFactory.ParseString(DefaultText());
        foreach (var file in files)
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (null, $"{file}: cannot read: {e.Message}"); }
            if (HoconSyntax.Check(text) is { } syntaxError) return (null, $"{file}: invalid HOCON: {syntaxError}");
            try { config = ConfigurationFactory.ParseString(HoconSyntax.Normalize(text)).WithFallback(config); }
            catch (Exception e) { return (null, $"{file}: invalid HOCON: {e.Message}"); }
        }
        return (config, null);
    }
}
