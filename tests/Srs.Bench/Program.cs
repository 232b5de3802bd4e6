using Srs.Bench.Cli;
using Srs.Bench.Modes;

const string usage = """
    Srs.Bench MODE [--option value ...]   load tool for the node, on the project's own RTMP client

    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(usage + PlayMode.Usage + "\n" + ChurnMode.Usage + "\n" + PublishMode.Usage + "\n" + PassivationMode.Usage + "\n" + FlvMode.Usage + "\n" + HandoverMode.Usage + "\n" + UpgradeMode.Usage + "\n" + ClusterMode.Usage);
    return args.Length == 0 ? 2 : 0;
}

// Thousands of players on one core: run socket continuations on the epoll thread instead of
// queueing each one to the thread pool (read once, when the socket engine starts). SRS_BENCH_INLINE=0 turns it off.
if (args[0] is "play" or "churn" && Environment.GetEnvironmentVariable("SRS_BENCH_INLINE") != "0"
    && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

try
{
    var options = new BenchArgs(args.Skip(1));
    return args[0] switch
    {
        "play" => await PlayMode.RunAsync(options, cts.Token),
        "churn" => await ChurnMode.RunAsync(options, cts.Token),
        "publish" => await PublishMode.RunAsync(options, cts.Token),
        "passivation" => await PassivationMode.RunAsync(options, cts.Token),
        "flv" => FlvMode.Run(options),
        "handover" => await HandoverMode.RunAsync(options, cts.Token),
        "upgrade" => await UpgradeMode.RunAsync(options, cts.Token),
        "cluster" => await ClusterMode.RunAsync(options, cts.Token),
        ClusterPublisherMode.Name => await ClusterPublisherMode.RunAsync(options, cts.Token),
        _ => throw new ArgumentException($"unknown mode '{args[0]}' (play, churn, publish, passivation, flv, handover, upgrade, cluster)"),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
catch (HttpRequestException e)
{
    Console.Error.WriteLine("error: the node's HTTP API: " + e.Message);
    return 1;
}
catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
{
    // The server is not there or went away (publishing failed, connection refused): say so, no stack trace.
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
