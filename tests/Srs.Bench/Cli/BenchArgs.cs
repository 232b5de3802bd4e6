using System.Globalization;

namespace Srs.Bench.Cli;

/// <summary>
/// "--name value" options after the mode word. Each getter removes its option, so
/// <see cref="ThrowOnUnknown"/> can name any option no mode asked for (a typo is an error, not a default).
/// </summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public BenchArgs(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
                throw new ArgumentException($"expected --option, got '{name}'");
            var eq = name.IndexOf('=');
            if (eq > 0)
            {
                _options[name[2..eq]] = name[(eq + 1)..];
                continue;
            }
            if (!e.MoveNext()) throw new ArgumentException($"{name} needs a value");
            _options[name[2..]] = e.Current;
        }
    }

    public string String(string name, string fallback) => Take(name) ?? fallback;

    public string? OptionalString(string name) => Take(name);

    /// <summary>One of <paramref name="allowed"/>; the first is the default.</summary>
    public string Choice(string name, params string[] allowed)
    {
        var value = Take(name) ?? allowed[0];
        if (Array.IndexOf(allowed, value) < 0)
            throw new ArgumentException($"--{name}: '{value}' is not {string.Join(", ", allowed[..^1])} or {allowed[^1]}");
        return value;
    }

    /// <summary>"on" or "off".</summary>
    public bool Switch(string name, bool fallback) => Choice(name, fallback ? ["on", "off"] : ["off", "on"]) == "on";

    public int Int(string name, int fallback, int min = 1)
    {
        var text = Take(name);
        if (text is null) return fallback;
        if (!int.TryParse(text.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new ArgumentException($"--{name}: '{text}' is not a whole number >= {min}");
        return value;
    }

    /// <summary>"30s", "500ms", "2m", or a plain number of seconds.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var text = Take(name);
        return text is null ? fallback : ParseDuration(text) ?? throw new ArgumentException($"--{name}: '{text}' is not a duration (500ms, 30s, 2m)");
    }

    /// <summary>A duration, or null when the option is not given.</summary>
    public TimeSpan? OptionalDuration(string name) => _options.ContainsKey(name) ? Duration(name, TimeSpan.Zero) : null;

    public void ThrowOnUnknown()
    {
        if (_options.Count > 0) throw new ArgumentException("unknown option(s): " + string.Join(", ", _options.Keys.Select(k => "--" + k)));
    }

    public static TimeSpan? ParseDuration(string text)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromSeconds(value * scale)
            : null;
    }

    private string? Take(string name) => _options.Remove(name, out var value) ? value : null;
}
