using Srs.Actors.Cluster;
using Srs.Actors.Edge;

namespace Srs.Actors.Tests.Edge;

public class UpstreamPlanTests
{
    private static readonly OriginEndpoint A = new("static", "10.0.0.1", 1935);
    private static readonly OriginEndpoint B = new("static", "10.0.0.2", 1935);

    [Fact]
    public void NoCandidate_NextIsNull_AndTheWaitGrows()
    {
        var plan = new UpstreamPlan();
        Assert.Null(plan.Next());
        var waits = Enumerable.Range(0, 8).Select(_ => plan.NoCandidate()).ToArray();
        Assert.Equal(UpstreamPlan.FirstBackoff, waits[0]);
        Assert.True(waits.Zip(waits.Skip(1)).All(p => p.Second >= p.First));
        Assert.Equal(UpstreamPlan.MaxBackoff, waits[^1]);
    }

    [Fact]
    public void AfterAnAttemptEnds_TheNextCandidateIsTried_RoundTheList()
    {
        var plan = new UpstreamPlan();
        plan.SetCandidates([A, B]);
        Assert.Equal(A, plan.Next());
        Assert.Equal(TimeSpan.Zero, plan.Ended(A, carriedMedia: false)); // first of the round: at once
        Assert.Equal(B, plan.Next());
        Assert.True(plan.Ended(B, carriedMedia: false) > TimeSpan.Zero); // a whole round failed: back off
        Assert.Equal(A, plan.Next());
    }

    [Fact]
    public void AnAttemptThatCarriedMedia_ResetsTheBackoff_AndMovesOn()
    {
        var plan = new UpstreamPlan();
        plan.SetCandidates([A, B]);
        for (var i = 0; i < 5; i++) plan.Ended(A, carriedMedia: false);
        Assert.True(plan.Delay() > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, plan.Ended(A, carriedMedia: true));
        Assert.Equal(0, plan.Failures);
        Assert.Equal(B, plan.Next());
    }

    [Fact]
    public void WhenTheEndedOriginIsNoLongerACandidate_TheFirstCandidateIsTried()
    {
        var plan = new UpstreamPlan();
        plan.SetCandidates([A]);
        plan.Ended(A, carriedMedia: true);
        plan.SetCandidates([B]);
        Assert.Equal(B, plan.Next());
        plan.SetCandidates([A]);
        Assert.Equal(A, plan.Next()); // the only candidate, even though it ended last
    }
}
