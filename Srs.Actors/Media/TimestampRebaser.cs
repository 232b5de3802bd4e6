namespace Srs.Actors.Media;

/// <summary>
/// Keeps one player's timestamps going forward across publish sessions: when a publisher
/// leaves and another starts (timestamps restarting at 0), the player continues from where it was.
/// </summary>
/// <remarks>A mutable struct, kept as a (non-readonly) field of the pump that owns it: one object fewer to reach per player and merged write.</remarks>
public struct TimestampRebaser
{
    private bool _started;
    private int _epoch;
    private long _offset;
    private long _last;

    public uint Rebase(MediaPacket packet)
    {
        if (!_started)
        {
            _started = true;
            _epoch = packet.Epoch;
        }
        else if (packet.Epoch != _epoch)
        {
            _epoch = packet.Epoch;
            _offset = _last - packet.Timestamp;
        }
        var ts = Math.Max(0, packet.Timestamp + _offset);
        if (ts > _last) _last = ts;
        return (uint)ts;
    }
}
