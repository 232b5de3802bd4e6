namespace Srs.Actors.Lifecycle;

/// <summary>
/// The node's lifecycle phases (<see cref="NodeState.Phase"/>), by the names the API and the
/// metrics show. A quit goes <see cref="Draining"/>, <see cref="Unbinding"/>,
/// <see cref="WaitingClients"/>, <see cref="FinalWait"/>, <see cref="Stopping"/>.
/// </summary>
public static class NodePhase
{
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Draining = "draining";
    public const string Unbinding = "unbinding";
    public const string WaitingClients = "waiting-clients";
    public const string FinalWait = "final-wait";
    public const string Stopping = "stopping";

    /// <summary>Every phase, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } = [Starting, Running, Draining, Unbinding, WaitingClients, FinalWait, Stopping];
}
