using System.Reflection;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Where the Srs.Node build is: the test project builds it (ProjectReference without the
/// assembly) into Srs.Node/bin/&lt;Configuration&gt;/net10.0 under the repository root (the folder
/// with Cluster.sln), in the configuration the tests were built in. SRS_NODE_BINARY names a native
/// executable to run instead (`dotnet publish -p:PublishAot=true`): the same tests then prove the
/// ahead-of-time build (docs/operations.md, "Native build").
/// </summary>
public static class NodeBinary
{
    public static string Configuration { get; } =
        typeof(NodeBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Cluster.sln above {AppContext.BaseDirectory}: cannot find the repository root.");
    });

    private static readonly Lazy<string> DllLazy = new(() =>
    {
        var dll = Path.Combine(RepositoryRoot, "Srs.Node", "bin", Configuration, "net10.0", "Srs.Node.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException(
                $"Srs.Node.dll not found at {dll}. Build it in the tests' configuration ({Configuration}): " +
                $"`dotnet build -c {Configuration} tests/Srs.Integration.Tests` builds it through its ProjectReference.");
        return dll;
    });

    public static string RepositoryRoot => RootLazy.Value;

    private static string DllPath => DllLazy.Value;

    /// <summary>The native executable under test (SRS_NODE_BINARY), or null for Srs.Node.dll.</summary>
    public static string? Native => Srs.Testing.NodeBinary.Native;

    /// <summary>The program to start for the node with <paramref name="args"/>, and its whole argument list.</summary>
    public static (string FileName, string[] Arguments) Command(params string[] args) =>
        Native is { } exe ? (exe, args) : ("dotnet", [DllPath, .. args]);

    /// <summary>Runs the node with <paramref name="args"/> to completion (for -t and -v); killed after the timeout.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(TimeSpan timeout, params string[] args)
    {
        var (fileName, arguments) = Command(args);
        await using var p = ChildProcess.Start("Srs.Node " + string.Join(' ', args), fileName, arguments,
            workingDirectory: Path.GetTempPath());
        if (!await p.WaitForExitAsync(timeout))
            throw new Xunit.Sdk.XunitException($"Srs.Node {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s\n{p.Describe()}");
        return (p.ExitCode!.Value, p.Log.Tail(400));
    }
}
