namespace Srs.Protocol.Flv;

public static class FlvTagType
{
    public const byte Audio = 8;
    public const byte Video = 9;
    public const byte Script = 18;
}
