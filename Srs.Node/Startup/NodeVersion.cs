namespace Srs.Node;

public static class NodeVersion
{
    private static readonly Version V = typeof(NodeVersion).Assembly.GetName().Version ?? new Version(0, 0, 0);
    public static int Major => V.Major;
    public static int Minor => V.Minor;
    public static int Revision => V.Build;
    public static string Text => $"{V.Major}.{V.Minor}.{V.Build}";
}
