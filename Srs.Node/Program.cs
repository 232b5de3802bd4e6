using System.Net.Sockets;
using Srs.Actors.Configuration;
using Srs.Node;
using Srs.Node.Startup;

// The node: command line and configuration first (so -t and -v never start anything), then the
// listening sockets (so "address in use" is one clear line), then the host with Akka and Kestrel.
InheritedSignals.RestoreIfIgnored();
var cli = CommandLine.Parse(args);
if (cli.Error is not null)
{
    Console.Error.WriteLine($"error: {cli.Error}\n{CommandLine.Usage}");
    return 2;
}
if (cli.ShowHelp) { Console.WriteLine(CommandLine.Usage); return 0; }
if (cli.ShowVersion) { Console.WriteLine($"srs-cluster {NodeVersion.Text}"); return 0; }

var (config, loadError) = NodeConfig.Load(cli.ConfigFiles);
if (config is null)
{
    Console.Error.WriteLine($"error: {loadError}");
    return 1;
}
var errors = ConfigValidator.Validate(config);
foreach (var e in errors) Console.Error.WriteLine($"error: {e}");
if (cli.TestOnly)
{
    if (errors.Count == 0) Console.WriteLine($"the configuration {string.Join(", ", cli.ConfigFiles.DefaultIfEmpty("(embedded default)"))} is ok");
    return errors.Count == 0 ? 0 : 1;
}
if (errors.Count > 0) return 1;

var settings = SrsSettings.FromConfig(config);
NoAppConfig.Install();
try
{
    return await NodeHost.RunAsync(config, settings);
}
catch (NodeStartupException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
