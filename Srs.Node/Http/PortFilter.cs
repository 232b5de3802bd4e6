namespace Srs.Node.Http;

/// <summary>
/// Serves an endpoint only on the listener it belongs to (the API on the http-api port, HTTP-FLV
/// on the http-server port), so neither leaks onto the other's port.
/// </summary>
public sealed class PortFilter(int port) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.LocalPort == port ? next(context) : ValueTask.FromResult<object?>(Results.NotFound());
}
