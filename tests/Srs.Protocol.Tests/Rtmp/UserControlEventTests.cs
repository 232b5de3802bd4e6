using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Protocol.Tests.Rtmp.TestBytes;

namespace Srs.Protocol.Tests.Rtmp;

public class UserControlEventTests
{
    [Theory]
    [InlineData("0000 00000001", UserControlEvent.StreamBegin, 1u)]
    [InlineData("0001 00000001", UserControlEvent.StreamEof, 1u)]
    [InlineData("0006 12345678", UserControlEvent.PingRequest, 0x12345678u)]
    [InlineData("0007 12345678", UserControlEvent.PingResponse, 0x12345678u)]
    [InlineData("0020 00000005 FF", (ushort)0x20, 5u)] // unknown types keep their first value
    public void Parse_TypeAndValue(string hex, ushort type, uint value)
    {
        Assert.Equal(new UserControlEvent(type, value), UserControlEvent.Parse(Hex(hex)));
    }

    [Fact]
    public void Parse_SetBufferLength_ReadsTheBufferLength()
    {
        Assert.Equal(new UserControlEvent(UserControlEvent.SetBufferLength, 1, 3000), UserControlEvent.Parse(Hex("0003 00000001 00000BB8")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("0006")]
    [InlineData("0006 000000")]
    [InlineData("0003 00000001")]
    [InlineData("0003 00000001 000BB8")]
    public void Parse_Short_Throws(string hex)
    {
        Assert.Throws<RtmpProtocolException>(() => UserControlEvent.Parse(Hex(hex)));
    }
}
