namespace Srs.Protocol.Amf;

/// <summary>The AMF0 undefined value (distinct from null).</summary>
public sealed class Amf0Undefined
{
    public static readonly Amf0Undefined Instance = new();
    private Amf0Undefined() { }
    public override string ToString() => "undefined";
}
