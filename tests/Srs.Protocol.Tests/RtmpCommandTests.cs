using System.Runtime.InteropServices;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Protocol.Tests;

public class RtmpCommandTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>The connect command ffmpeg sends when publishing to rtmp://127.0.0.1/live/...</summary>
    private static readonly byte[] FfmpegConnect = Hex(
        "020007636F6E6E656374" + // "connect"
        "003FF0000000000000" + // transaction id 1
        "03" + // command object
        "00036170700200046C697665" + // app: "live"
        "00047479706502000A6E6F6E70726976617465" + // type: "nonprivate"
        "0008666C617368566572020024464D4C452F332E302028636F6D70617469626C653B204C61766636302E31362E31303029" + // flashVer
        "0005746355726C02001A72746D703A2F2F3132372E302E302E313A313933352F6C697665" + // tcUrl
        "000009"); // object end

    [Fact]
    public void Parse_FfmpegConnect()
    {
        var command = RtmpCommand.Parse(FfmpegConnect);

        Assert.Equal(CommandNames.Connect, command.Name);
        Assert.Equal(1.0, command.TransactionId);
        Assert.Empty(command.Arguments);
        var props = Assert.IsType<Amf0Object>(command.CommandObject);
        Assert.Equal(["app", "type", "flashVer", "tcUrl"], props.Select(p => p.Key));
        Assert.Equal("live", props.GetString("app"));
        Assert.Equal("nonprivate", props.GetString("type"));
        Assert.Equal("FMLE/3.0 (compatible; Lavf60.16.100)", props.GetString("flashVer"));
        Assert.Equal("rtmp://127.0.0.1:1935/live", props.GetString("tcUrl"));
    }

    [Fact]
    public void WriteTo_ReproducesFfmpegConnectBytes()
    {
        var command = RtmpCommand.Parse(FfmpegConnect);
        Assert.Equal(FfmpegConnect, command.ToPayload());
    }

    [Fact]
    public void Parse_PublishWithArguments()
    {
        var payload = new RtmpCommand(CommandNames.Publish, 5, null, ["livestream", "live"]).ToPayload();
        var command = RtmpCommand.Parse(payload);
        Assert.Equal(CommandNames.Publish, command.Name);
        Assert.Equal(5.0, command.TransactionId);
        Assert.Null(command.CommandObject);
        Assert.Equal("livestream", command.StringArgument(0));
        Assert.Equal("live", command.StringArgument(1));
        Assert.Null(command.StringArgument(2));
    }

    [Fact]
    public void RoundTrip_KeepsEveryValue()
    {
        var original = new RtmpCommand("play", 4, new Amf0Object().Add("k", true),
            ["stream", -2000.0, true, null, Amf0Undefined.Instance, new object?[] { 1.0 }]);
        var read = RtmpCommand.Parse(original.ToPayload());
        Assert.Equal(original.ToPayload(), read.ToPayload());
        Assert.Equal(6, read.Arguments.Count);
        Assert.Equal(-2000.0, read.NumberArgument(1));
    }

    [Fact]
    public void Parse_AcceptsMissingCommandObject()
    {
        var command = RtmpCommand.Parse(Hex("02 00 01 78 00 40 00 00 00 00 00 00 00"));
        Assert.Equal("x", command.Name);
        Assert.Equal(2.0, command.TransactionId);
        Assert.Null(command.CommandObject);
        Assert.Empty(command.Arguments);
    }

    [Theory]
    [InlineData("")] // Empty payload.
    [InlineData("00 3F F0 00 00 00 00 00 00 00 3F F0 00 00 00 00 00 00 05")] // Name is a number.
    [InlineData("05 00 3F F0 00 00 00 00 00 00 05")] // Name is null.
    [InlineData("02 00 01 78 02 00 01 31 05")] // Transaction id is a string.
    [InlineData("02 00 01 78")] // No transaction id.
    [InlineData("02 00 01 78 00 3F F0 00 00 00 00 00 00 03 00 01 61")] // Truncated command object.
    [InlineData("02 00 01 78 00 3F F0 00 00 00 00 00 00 05 07 00 00")] // Reference argument.
    public void Parse_Malformed_ThrowsRtmpProtocolException(string hex) =>
        Assert.Throws<RtmpProtocolException>(() => RtmpCommand.Parse(Hex(hex)));

    [Fact]
    public void Parse_EveryTruncationOfConnect_Throws()
    {
        // Cutting right after the transaction id leaves a valid command without command object.
        const int afterTransactionId = 10 + 9;
        for (var length = 0; length < FfmpegConnect.Length; length++)
            if (length != afterTransactionId)
                Assert.Throws<RtmpProtocolException>(() => RtmpCommand.Parse(FfmpegConnect.AsSpan(0, length)));
    }

    // ---- Server replies ----

    [Fact]
    public void ConnectResult_MirrorsSrs()
    {
        var command = RtmpCommand.Parse(ServerCommands.ConnectResult(1, 0));

        Assert.Equal("_result", command.Name);
        Assert.Equal(1.0, command.TransactionId);
        var props = Assert.IsType<Amf0Object>(command.CommandObject);
        Assert.Equal("FMS/3,5,3,888", props.GetString("fmsVer"));
        Assert.Equal(127.0, props.GetNumber("capabilities"));
        Assert.Equal(1.0, props.GetNumber("mode"));

        var info = Assert.IsType<Amf0Object>(Assert.Single(command.Arguments));
        Assert.Equal(["level", "code", "description", "objectEncoding", "data"], info.Select(p => p.Key));
        Assert.Equal("status", info.GetString("level"));
        Assert.Equal("NetConnection.Connect.Success", info.GetString("code"));
        Assert.Equal("Connection succeeded", info.GetString("description"));
        Assert.Equal(0.0, info.GetNumber("objectEncoding"));
        var data = Assert.IsType<Amf0Object>(info["data"]);
        Assert.True(data.IsEcmaArray);
        Assert.Equal("3,5,3,888", data.GetString("version"));
        Assert.StartsWith("SRS/", data.GetString("srs_server"));
    }

    [Fact]
    public void ConnectResult_EchoesObjectEncoding()
    {
        var command = RtmpCommand.Parse(ServerCommands.ConnectResult(1, 3));
        Assert.Equal(3.0, ((Amf0Object)command.Arguments[0]!).GetNumber("objectEncoding"));
    }

    [Fact]
    public void Result_ExactBytes()
    {
        // "_result", 4, null, 1 (createStream's stream id).
        Assert.Equal(
            Hex("02 00 07 5F 72 65 73 75 6C 74 00 40 10 00 00 00 00 00 00 05 00 3F F0 00 00 00 00 00 00"),
            ServerCommands.Result(4, 1));
    }

    [Fact]
    public void EmptyResult_HasNullObjectAndUndefinedArgument()
    {
        Assert.Equal(
            Hex("02 00 07 5F 72 65 73 75 6C 74 00 40 00 00 00 00 00 00 00 05 06"),
            ServerCommands.EmptyResult(2));
    }

    [Fact]
    public void Error_CarriesInfoObject()
    {
        var command = RtmpCommand.Parse(ServerCommands.Error(3, "NetStream.Publish.BadName", "Stream already publishing"));
        Assert.Equal("_error", command.Name);
        Assert.Equal(3.0, command.TransactionId);
        Assert.Null(command.CommandObject);
        var info = Assert.IsType<Amf0Object>(Assert.Single(command.Arguments));
        Assert.Equal("error", info.GetString("level"));
        Assert.Equal("NetStream.Publish.BadName", info.GetString("code"));
        Assert.Equal("Stream already publishing", info.GetString("description"));
    }

    [Fact]
    public void OnStatus_CarriesInfoObject()
    {
        var command = RtmpCommand.Parse(ServerCommands.OnStatus("status", "NetStream.Play.Start", "Started playing stream."));
        Assert.Equal("onStatus", command.Name);
        Assert.Equal(0.0, command.TransactionId);
        Assert.Null(command.CommandObject);
        var info = Assert.IsType<Amf0Object>(Assert.Single(command.Arguments));
        Assert.Equal(["level", "code", "description"], info.Select(p => p.Key));
        Assert.Equal("NetStream.Play.Start", info.GetString("code"));
    }

    [Fact]
    public void OnStatus_WithClientId()
    {
        var command = RtmpCommand.Parse(ServerCommands.OnStatus("status", "NetStream.Publish.Start", "Started publishing stream.", "ASAICiss"));
        var info = (Amf0Object)command.Arguments[0]!;
        Assert.Equal("ASAICiss", info.GetString("clientid"));
    }

    [Fact]
    public void Notify_OnFCPublish()
    {
        var command = RtmpCommand.Parse(ServerCommands.Notify(CommandNames.OnFCPublish, "NetStream.Publish.Start", "Started publishing stream."));
        Assert.Equal("onFCPublish", command.Name);
        Assert.Equal(0.0, command.TransactionId);
        var info = Assert.IsType<Amf0Object>(Assert.Single(command.Arguments));
        Assert.Equal(["code", "description"], info.Select(p => p.Key));
    }

    [Fact]
    public void OnBWDone_IsNameZeroNull()
    {
        Assert.Equal(Hex("02 00 08 6F 6E 42 57 44 6F 6E 65 00 00 00 00 00 00 00 00 00 05"), ServerCommands.OnBWDone());
    }

    // ---- Data messages ----

    private static byte[] MetaDataPayload(bool withSetDataFrame, bool ecma = true)
    {
        var props = new Amf0Object(isEcmaArray: ecma).Add("width", 1280.0).Add("height", 720.0).Add("encoder", "Lavf60");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        if (withSetDataFrame) Amf0Writer.WriteValue(buffer, CommandNames.SetDataFrame);
        Amf0Writer.WriteValue(buffer, CommandNames.OnMetaData);
        Amf0Writer.WriteValue(buffer, props);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void TryGetMetaData_StripsSetDataFrameAsASlice()
    {
        var published = MetaDataPayload(withSetDataFrame: true);
        var expected = MetaDataPayload(withSetDataFrame: false);

        Assert.True(DataMessages.TryGetMetaData(published, out var metaData));
        Assert.Equal(expected, metaData.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(metaData, out var segment));
        Assert.Same(published, segment.Array);
        Assert.Equal(published.Length - expected.Length, segment.Offset);
    }

    [Fact]
    public void TryGetMetaData_AcceptsOnMetaDataAsIs()
    {
        var payload = MetaDataPayload(withSetDataFrame: false, ecma: false);
        Assert.True(DataMessages.TryGetMetaData(payload, out var metaData));
        Assert.True(MemoryMarshal.TryGetArray(metaData, out var segment));
        Assert.Same(payload, segment.Array);
        Assert.Equal(payload.Length, segment.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("FF FF")]
    [InlineData("02 00 0A 6F 6E 54 65 78 74 44 61 74 61 03 00 00 09")] // "onTextData", {}
    [InlineData("02 00 0A 6F 6E 4D 65 74 61 44 61 74 61")] // "onMetaData" alone
    [InlineData("02 00 0A 6F 6E 4D 65 74 61 44 61 74 61 03 00 01")] // "onMetaData", truncated object
    [InlineData("02 00 0D 40 73 65 74 44 61 74 61 46 72 61 6D 65")] // "@setDataFrame" alone
    [InlineData("02 00 0D 40 73 65 74 44 61 74 61 46 72 61 6D 65 02 00 01 78 03 00 00 09")] // "@setDataFrame", "x", {}
    [InlineData("00 3F F0 00 00 00 00 00 00")] // A number first.
    public void TryGetMetaData_RejectsOtherOrMalformedPayloads(string hex)
    {
        Assert.False(DataMessages.TryGetMetaData(Hex(hex), out var metaData));
        Assert.True(metaData.IsEmpty);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void ReadMetaDataProperties_ReadsObjectOrEcmaArray(bool withSetDataFrame, bool ecma)
    {
        var props = DataMessages.ReadMetaDataProperties(MetaDataPayload(withSetDataFrame, ecma));
        Assert.NotNull(props);
        Assert.Equal(ecma, props.IsEcmaArray);
        Assert.Equal(1280.0, props.GetNumber("width"));
        Assert.Equal("Lavf60", props.GetString("encoder"));
    }

    [Fact]
    public void ReadMetaDataProperties_MalformedGivesNull()
    {
        // An object, not an ECMA array: those may end with the data, without their end marker.
        var payload = MetaDataPayload(withSetDataFrame: false, ecma: false);
        for (var length = 0; length < payload.Length; length++)
            Assert.Null(DataMessages.ReadMetaDataProperties(payload.AsSpan(0, length)));
        Assert.Null(DataMessages.ReadMetaDataProperties(Hex("02 00 0A 6F 6E 4D 65 74 61 44 61 74 61 02 00 01 78")));
    }
}
