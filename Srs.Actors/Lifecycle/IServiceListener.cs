namespace Srs.Actors.Lifecycle;

/// <summary>
/// A listener that lives outside the actor system (Kestrel's HTTP-FLV server) but must close in
/// the service-unbind phase like the RTMP listener actor, while its in-flight responses go on.
/// </summary>
public interface IServiceListener
{
    string Name { get; }

    /// <summary>Closes the listening socket; completes once it is closed. Open responses continue.</summary>
    Task UnbindAsync();

    /// <summary>Ends every open response now (fast quit).</summary>
    void Abort();
}
