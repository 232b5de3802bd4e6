namespace Srs.Node.Http;

/// <summary>
/// Serves an endpoint only on the listener it belongs to (the API on the http-api port, HTTP-FLV
/// on the http-server port), so neither leaks onto the other's port. A wrapper rather than an
/// endpoint filter: a filter makes ASP.NET Core compile a delegate for the endpoint at the
/// first request (RequestDelegateFactory), memory the node keeps for good (docs/performance.md,
/// memory).
/// </summary>
public static class PortFilter
{
    public static RequestDelegate Only(int port, RequestDelegate handler) => ctx =>
    {
        if (ctx.Connection.LocalPort == port) return handler(ctx);
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    };
}
