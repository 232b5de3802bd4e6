using Akka.Hosting;
using Srs.Actors.Configuration;
using Srs.Actors.Hooks;
using Srs.Actors.Stats;

namespace Srs.Node.Http;

/// <summary>What every HTTP-FLV request uses, looked up once when the endpoint is mapped.</summary>
/// <param name="Warn">Hook calls' warnings, one delegate for all requests.</param>
internal sealed record HttpFlvServices(ActorRegistry Actors, ServerStats Stats, SrsSettings Settings, HttpHooks Hooks,
    ILogger<HttpFlvEndpoint.HttpFlvProgram> Logger, Action<string> Warn);
