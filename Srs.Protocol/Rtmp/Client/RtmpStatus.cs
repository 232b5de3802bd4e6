using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Protocol.Rtmp.Client;

/// <summary>The info object of an onStatus, _result or _error reply: level, code, description (and a reconnect request's tcUrl).</summary>
public sealed record RtmpStatus(string Level, string Code, string Description)
{
    public bool IsError => Level == StatusLevels.Error;

    /// <summary>Where a <see cref="ReconnectRequest"/> asks to reconnect to; null: the tcUrl connected with.</summary>
    public string? TcUrl { get; init; }

    public bool IsReconnectRequest => Code == ReconnectRequest.Code;

    /// <summary>The first info object among the command's arguments, or null when it has none.</summary>
    public static RtmpStatus? FromCommand(RtmpCommand command)
    {
        foreach (var argument in command.Arguments)
        {
            if (argument is Amf0Object info && info.GetString("code") is { } code)
                return new RtmpStatus(info.GetString("level") ?? StatusLevels.Status, code, info.GetString("description") ?? "") { TcUrl = info.GetString("tcUrl") };
        }
        return null;
    }

    public override string ToString() => $"{Code} ({Level}): {Description}";
}
