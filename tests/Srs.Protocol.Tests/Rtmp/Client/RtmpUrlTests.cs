using Srs.Protocol.Rtmp.Client;

namespace Srs.Protocol.Tests.Rtmp.Client;

public class RtmpUrlTests
{
    [Theory]
    [InlineData("rtmp://127.0.0.1/live/livestream", "127.0.0.1", 1935, "live", "livestream")]
    [InlineData("rtmp://host:19350/live/s?token=1/2", "host", 19350, "live", "s?token=1/2")]
    [InlineData("rtmp://host/a/b/stream", "host", 1935, "a/b", "stream")]
    [InlineData("RTMP://[::1]:1936/live/x", "::1", 1936, "live", "x")]
    public void Parse_SplitsHostPortAppStream(string url, string host, int port, string app, string stream)
    {
        var parsed = RtmpUrl.Parse(url);
        Assert.Equal(new RtmpUrl(host, port, app, stream), parsed);
    }

    [Fact]
    public void TcUrl_HasTheExplicitPort_AndWithStreamKeepsTheRest()
    {
        var url = RtmpUrl.Parse("rtmp://127.0.0.1/live/a").WithStream("b");
        Assert.Equal("rtmp://127.0.0.1:1935/live", url.TcUrl);
        Assert.Equal("rtmp://127.0.0.1:1935/live/b", url.ToString());
        Assert.Equal("rtmp://[::1]:1935/live", RtmpUrl.Parse("rtmp://[::1]/live/a").TcUrl);
    }

    [Theory]
    [InlineData("http://host/live/s")]
    [InlineData("rtmp://host/live")]
    [InlineData("rtmp://host/live/")]
    [InlineData("rtmp:///live/s")]
    [InlineData("rtmp://host:0/live/s")]
    [InlineData("rtmp://host:x/live/s")]
    public void Parse_RejectsMalformedUrls(string url)
    {
        Assert.Throws<FormatException>(() => RtmpUrl.Parse(url));
    }
}
