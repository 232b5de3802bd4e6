namespace Srs.Protocol.Flv;

public enum VideoCodec { Unknown, Avc, Hevc, Av1, Vp9 }
public enum AudioCodec { Unknown, Aac, Mp3, Opus, Other }
