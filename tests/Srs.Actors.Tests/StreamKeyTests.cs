using Srs.Actors.Streams;

namespace Srs.Actors.Tests;

public class StreamKeyTests
{
    [Theory]
    [InlineData("127.0.0.1", "live", "livestream", "__defaultVhost__/live/livestream")]
    [InlineData("127.0.0.1", "live", "livestream?token=abc", "__defaultVhost__/live/livestream")]
    [InlineData("127.0.0.1", "live?vhost=example.com", "s1", "example.com/live/s1")]
    [InlineData("127.0.0.1", "live", "s1?vhost=v.example.com&token=1", "v.example.com/live/s1")]
    [InlineData("cdn.example.com", "live/", "/s1", "cdn.example.com/live/s1")]
    [InlineData(null, "live", "s1", "__defaultVhost__/live/s1")]
    public void FromRtmp_FollowsSrsNaming(string? host, string app, string name, string expected)
    {
        var key = StreamKey.FromRtmp(host, app, name);
        Assert.Equal(expected, key.ToString());
        Assert.True(key.IsValid);
    }

    [Theory]
    [InlineData("live", "")]
    [InlineData("", "s1")]
    [InlineData("live", "../etc")]
    [InlineData("live", "a/b")]
    [InlineData("../x", "s1")]
    public void Invalid_Names_AreRejected(string app, string name) =>
        Assert.False(StreamKey.FromRtmp(null, app, name).IsValid);
}
