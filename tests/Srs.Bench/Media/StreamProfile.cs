namespace Srs.Bench.Media;

/// <summary>The shape of the generated stream: 320x240 H.264 High plus, optionally, AAC-LC 44.1 kHz stereo.</summary>
/// <param name="Kbps">Total bitrate, video and audio.</param>
/// <param name="GopFrames">A keyframe every this many video frames (50 = 2 s at 25 fps; 1 = every frame).</param>
/// <param name="FramesPerSecond">Video frame rate; a divisor of 1000 keeps frame times exact. Low rates (1 fps, tiny
/// frames) let one tool hold thousands of publishers for the cluster benchmark.</param>
/// <param name="Audio">Whether AAC frames go with the video.</param>
public sealed record StreamProfile(int Kbps = 1000, int GopFrames = 50, int FramesPerSecond = StreamProfile.DefaultFramesPerSecond, bool Audio = true)
{
    public const int Width = 320;
    public const int Height = 240;
    public const int DefaultFramesPerSecond = 25;
    public const int AudioSampleRate = 44100;
    public const int AudioSamplesPerFrame = 1024;

    public int FrameIntervalMs => 1000 / FramesPerSecond;

    /// <summary>64 kbps of audio, or a quarter of a small total; none without audio.</summary>
    public int AudioKbps => Audio ? Math.Min(64, Math.Max(8, Kbps / 4)) : 0;

    public int VideoKbps => Math.Max(1, Kbps - AudioKbps);
}
