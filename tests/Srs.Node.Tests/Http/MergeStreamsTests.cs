using Srs.Actors.Cluster;
using Srs.Actors.Edge;
using Srs.Node.Http;

namespace Srs.Node.Tests.Http;

public class MergeStreamsTests
{
    private static StreamJson Entry(int pid, string? publisher, int clients, long sent, long received, int send30s, int recv30s) => new(
        Id: "vid-1", Name: "s", Vhost: "__defaultVhost__", App: "live", TcUrl: "rtmp://__defaultVhost__/live", Url: "/live/s",
        LiveMs: 0, Clients: clients, Frames: 10, SendBytes: sent, RecvBytes: received,
        Kbps: new KbpsJson(Recv30s: recv30s, Send30s: send30s), Publish: new PublishJson(publisher is not null, publisher),
        Video: null, Audio: null, Pid: pid);

    [Fact]
    public void A_stream_in_both_processes_is_the_encoders_entry_with_the_viewers_and_bytes_sent_of_both()
    {
        var pulled = Entry(pid: 2, publisher: EdgePuller.ClientIdPrefix + OriginEndpoint.PreviousProcess, clients: 3, sent: 3000, received: 900, send30s: 30, recv30s: 9);
        var encoded = Entry(pid: 1, publisher: "7", clients: 2, sent: 1000, received: 1000, send30s: 10, recv30s: 10);

        var merged = Assert.Single(ApiJson.MergeStreams([pulled, encoded]));

        Assert.Equal(1, merged.Pid);
        Assert.Equal("7", merged.Publish.Cid);
        Assert.Equal(5, merged.Clients);
        Assert.Equal(4000, merged.SendBytes);
        Assert.Equal(40, merged.Kbps.Send30s);
        Assert.Equal(1000, merged.RecvBytes);
        Assert.Equal(10, merged.Kbps.Recv30s);
    }
}
