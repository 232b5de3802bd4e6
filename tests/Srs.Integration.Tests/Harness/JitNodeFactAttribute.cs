namespace Srs.Integration.Tests.Harness;

/// <summary>
/// A fact about the JIT-compiled node (Srs.Node.dll run by dotnet), such as which assemblies it
/// loads; skipped when the tests run the native build (SRS_NODE_BINARY), which has none to load.
/// </summary>
public sealed class JitNodeFactAttribute : FactAttribute
{
    public JitNodeFactAttribute()
    {
        if (NodeBinary.Native is not null) Skip = $"about the JIT-compiled node; this run tests {NodeBinary.Native}";
    }
}
