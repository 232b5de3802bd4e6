using System.Configuration.Internal;
using System.Reflection;

namespace Srs.Node.Startup;

/// <summary>
/// Answers the .NET app.config lookups with nothing. Akka.NET 1.5's <c>ActorSystem.Create(name, setup)</c>,
/// which Akka.Hosting calls, reads the <c>akka</c> section of the app.config even when it is given
/// its configuration (<c>ConfigurationFactory.Load()</c>; no longer so in Akka 1.6,
/// akkadotnet/akka.net#7456). Starting the configuration system for that loads XML parsing, web
/// request types and OpenSSL (to hash the executable's path for a per-user config file): ~10 MB of
/// the node's resident memory, for a file the node never has; its configuration is HOCON
/// (docs/performance.md, "Idle footprint").
/// </summary>
/// <remarks>
/// The configuration system is replaced through <c>ConfigurationManager.SetConfigurationSystem</c>,
/// which is internal; where it is missing (another version of System.Configuration), nothing
/// changes but the memory.
/// </remarks>
public static class NoAppConfig
{
    /// <summary>True when app.config lookups now answer nothing without reading anything.</summary>
    public static bool Install()
    {
        var set = typeof(System.Configuration.ConfigurationManager).GetMethod("SetConfigurationSystem", BindingFlags.NonPublic | BindingFlags.Static,
            [typeof(IInternalConfigSystem), typeof(bool)]);
        if (set is null) return false;
        try
        {
            set.Invoke(null, [new Empty(), true]);
            return true;
        }
        catch (TargetInvocationException)
        {
            return false; // already initialised: the lookups keep working as before
        }
    }

    private sealed class Empty : IInternalConfigSystem
    {
        public object? GetSection(string configKey) => null;

        public void RefreshConfig(string sectionName) { }

        public bool SupportsUserConfig => false;
    }
}
