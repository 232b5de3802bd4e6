using System.Globalization;
using Srs.Bench.Media;
using Srs.Bench.Play;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Cli;

/// <summary>
/// The options of the modes that publish a generated stream and start players on it (play,
/// churn): where they play (--url, --protocol, --flv, --streams), the stream (--bitrate, --gop)
/// and how a player connects (--setup-timeout, --handshake).
/// </summary>
public sealed record PlayerOptions(RtmpUrl Url, bool Flv, string FlvHost, int Streams, StreamProfile Profile, TimeSpan SetupTimeout, bool DigestHandshake)
{
    public string Protocol => Flv ? "flv" : "rtmp";

    public static PlayerOptions Parse(BenchArgs args, string defaultUrl) => new(
        RtmpUrl.Parse(args.String("url", defaultUrl)),
        args.Choice("protocol", "rtmp", "flv") == "flv",
        args.String("flv", "127.0.0.1:8080"),
        args.Int("streams", 1),
        new StreamProfile(args.Int("bitrate", 1000), args.Int("gop", 50)),
        args.Duration("setup-timeout", TimeSpan.FromSeconds(10)),
        args.Choice("handshake", "digest", "simple") == "digest");

    /// <summary>Resolves the server the players connect to (the RTMP host, or the HTTP-FLV one) and names their streams.</summary>
    public async Task<PlayTarget> TargetAsync(int receiveBufferBytes, int probeEvery = 1, int batchBytes = 0)
    {
        var (host, port) = Flv ? SplitHostPort(FlvHost) : (Url.Host, Url.Port);
        var context = new PlayContext(await PlayContext.ResolveAsync(host, port), receiveBufferBytes, probeEvery, batchBytes);
        return new PlayTarget(Url, PlayTarget.StreamNames(Url, Streams), Flv, context, FlvHost, DigestHandshake);
    }

    private static (string Host, int Port) SplitHostPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            throw new ArgumentException($"--flv: '{hostPort}' is not host:port");
        return (hostPort[..colon], port);
    }
}
