namespace Srs.Node.Startup;

/// <summary>The command line, as SRS's: -c FILE (repeatable), -t (test config), -v (version), -h.</summary>
public sealed record CommandLine(IReadOnlyList<string> ConfigFiles, bool TestOnly, bool ShowVersion, bool ShowHelp, string? Error)
{
    public const string Usage = "usage: Srs.Node [-c FILE]... [-t] [-v] [-h]\n" +
        "  -c FILE  HOCON file layered over the embedded default (later files win, key by key)\n" +
        "  -t       check the configuration and exit (0 valid, 1 with each error)\n" +
        "  -v       print the version and exit\n" +
        "  -h       print this help and exit";

    public static CommandLine Parse(string[] args)
    {
        var files = new List<string>();
        bool test = false, version = false, help = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-c":
                    if (i + 1 >= args.Length) return new(files, test, version, help, "-c needs a file");
                    files.Add(args[++i]);
                    break;
                case "-t": test = true; break;
                case "-v" or "--version": version = true; break;
                case "-h" or "--help": help = true; break;
                default: return new(files, test, version, help, $"unknown argument '{args[i]}'");
            }
        }
        return new(files, test, version, help, null);
    }
}
