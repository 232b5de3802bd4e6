using System.Reflection;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Where the Srs.Node build is: the test project builds it (ProjectReference without the
/// assembly) into Srs.Node/bin/&lt;Configuration&gt;/net10.0 under the repository root (the folder
/// with Cluster.sln), in the configuration the tests were built in.
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

    public static string DllPath => DllLazy.Value;

    /// <summary>Runs `dotnet Srs.Node.dll args` to completion (for -t and -v); killed after the timeout.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(TimeSpan timeout, params string[] args)
    {
        await using var p = ChildProcess.Start("Srs.Node " + string.Join(' ', args), "dotnet", [DllPath, .. args],
            workingDirectory: Path.GetTempPath());
        if (!await p.WaitForExitAsync(timeout))
            throw new Xunit.Sdk.XunitException($"Srs.Node {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s\n{p.Describe()}");
        return (p.ExitCode!.Value, p.Log.Tail(400));
    }
}
