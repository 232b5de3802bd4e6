using Akka.Configuration;

namespace Srs.Actors.Configuration;

/// <summary>HTTP callbacks, as SRS's http_hooks: each list holds URLs called in order.</summary>
public sealed record HookSettings
{
    public IReadOnlyList<string> OnConnect { get; init; } = [];
    public IReadOnlyList<string> OnPublish { get; init; } = [];
    public IReadOnlyList<string> OnUnpublish { get; init; } = [];
    public IReadOnlyList<string> OnPlay { get; init; } = [];
    public IReadOnlyList<string> OnStop { get; init; } = [];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public bool Any => OnConnect.Count + OnPublish.Count + OnUnpublish.Count + OnPlay.Count + OnStop.Count > 0;

    public static HookSettings FromConfig(Config? c)
    {
        if (c is null) return new HookSettings();
        IReadOnlyList<string> List(string key) => c.HasPath(key) ? c.GetStringList(key).ToArray() : [];
        return new HookSettings
        {
            OnConnect = List("on-connect"),
            OnPublish = List("on-publish"),
            OnUnpublish = List("on-unpublish"),
            OnPlay = List("on-play"),
            OnStop = List("on-stop"),
            Timeout = c.GetTimeSpan("timeout", TimeSpan.FromSeconds(5)),
        };
    }
}
