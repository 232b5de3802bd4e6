namespace Srs.Node.Startup;

/// <summary>A failure to start (a port in use, ...) reported as one line before exiting non-zero.</summary>
public sealed class NodeStartupException(string message, Exception? inner = null) : Exception(message, inner);
