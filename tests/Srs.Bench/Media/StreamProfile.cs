namespace Srs.Bench.Media;

/// <summary>The shape of the generated stream: 320x240 H.264 High at 25 fps plus AAC-LC 44.1 kHz stereo.</summary>
/// <param name="Kbps">Total bitrate, video and audio.</param>
/// <param name="GopFrames">A keyframe every this many video frames (50 = 2 s at 25 fps).</param>
public sealed record StreamProfile(int Kbps = 1000, int GopFrames = 50)
{
    public const int Width = 320;
    public const int Height = 240;
    public const int FramesPerSecond = 25;
    public const int FrameIntervalMs = 1000 / FramesPerSecond;
    public const int AudioSampleRate = 44100;
    public const int AudioSamplesPerFrame = 1024;

    /// <summary>64 kbps of audio, or a quarter of a small total.</summary>
    public int AudioKbps => Math.Min(64, Math.Max(8, Kbps / 4));

    public int VideoKbps => Math.Max(8, Kbps - AudioKbps);
}
