using System.Collections;

namespace Srs.Protocol.Amf;

/// <summary>
/// An AMF0 object or ECMA array: properties in the order they were read or added.
/// Values are double, bool, string, null, <see cref="Amf0Undefined"/>, <see cref="Amf0Object"/>,
/// object?[] (strict array) or DateTime (date, UTC).
/// </summary>
public sealed class Amf0Object(bool isEcmaArray = false) : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _properties = new();

    public bool IsEcmaArray { get; } = isEcmaArray;
    public int Count => _properties.Count;

    /// <summary>The first property of that name, or null when absent. Setting replaces or adds.</summary>
    public object? this[string key]
    {
        get => TryGetValue(key, out var v) ? v : null;
        set
        {
            var i = _properties.FindIndex(p => p.Key == key);
            if (i >= 0) _properties[i] = new(key, value); else _properties.Add(new(key, value));
        }
    }

    public Amf0Object Add(string key, object? value) { _properties.Add(new(key, value)); return this; }

    public bool TryGetValue(string key, out object? value)
    {
        foreach (var p in _properties)
            if (p.Key == key) { value = p.Value; return true; }
        value = null;
        return false;
    }

    public string? GetString(string key) => this[key] as string;
    public double? GetNumber(string key) => this[key] is double d ? d : null;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
