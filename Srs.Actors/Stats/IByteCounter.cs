namespace Srs.Actors.Stats;

/// <summary>Something that counts the bytes it sent itself (a player's media pump), read when stats are read.</summary>
public interface IByteCounter
{
    long BytesSent { get; }
}
