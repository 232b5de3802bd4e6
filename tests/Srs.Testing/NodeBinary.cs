namespace Srs.Testing;

/// <summary>
/// What the tests run as the node: Srs.Node.dll of the tests' own build, run with dotnet, or the
/// native executable named by SRS_NODE_BINARY (`dotnet publish -p:PublishAot=true`), so the same
/// tests prove the ahead-of-time build (docs/operations.md, "Native build").
/// </summary>
public static class NodeBinary
{
    public const string Variable = "SRS_NODE_BINARY";

    /// <summary>The native executable under test, or null for the tests' own Srs.Node.dll.</summary>
    public static string? Native { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path
        ? File.Exists(path) ? Path.GetFullPath(path) : throw new InvalidOperationException($"{Variable}={path}: no such file")
        : null;

    /// <summary>The program to start and the arguments that come before the node's own.</summary>
    public static (string FileName, string[] Prefix) Command => Native is { } exe ? (exe, []) : ("dotnet", [Dll]);

    private static string Dll
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) dir = dir.Parent;
            if (dir is null) throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);
#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            return Path.Combine(dir.FullName, "Srs.Node", "bin", configuration, "net10.0", "Srs.Node.dll");
        }
    }
}
