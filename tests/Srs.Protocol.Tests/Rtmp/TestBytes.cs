namespace Srs.Protocol.Tests.Rtmp;

/// <summary>Builds byte vectors from hex written the way the spec lays headers out.</summary>
internal static class TestBytes
{
    /// <summary>Hex with any spaces, e.g. "03 0003E8 000020 08 39300000".</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A recognisable payload: start, start+1, ... (mod 256).</summary>
    public static byte[] Pattern(int length, int start = 0)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(start + i);
        }

        return bytes;
    }
}
