namespace Srs.Integration.Tests.Harness;

/// <summary>The three listening ports of one node, all on 127.0.0.1.</summary>
public sealed record NodePorts(int Rtmp, int HttpApi, int HttpServer)
{
    public static NodePorts Pick() => new(FreePort.Next(), FreePort.Next(), FreePort.Next());

    public string RtmpUrl(string stream, string app = "live") => $"rtmp://127.0.0.1:{Rtmp}/{app}/{stream}";

    public string FlvUrl(string stream, string app = "live") => $"http://127.0.0.1:{HttpServer}/{app}/{stream}.flv";

    public Uri ApiBase => new($"http://127.0.0.1:{HttpApi}/");
}
