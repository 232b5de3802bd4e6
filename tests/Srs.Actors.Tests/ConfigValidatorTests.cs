using Akka.Configuration;
using Srs.Actors.Configuration;

namespace Srs.Actors.Tests;

public class ConfigValidatorTests
{
    private const string Base = """
        srs { role = origin, rtmp.listen = "127.0.0.1:1935", http-api { enabled = on, listen = "1985" }
              hooks.on-play = []
              source.idle-timeout = 3s, gop-cache = on, queue-length = 10s, edge.origins = ["a.example:1935"]
              hooks { on-publish = ["http://127.0.0.1:8085/api/v1/streams"] } }
        """;

    private static IReadOnlyList<string> Validate(string extra) =>
        ConfigValidator.Validate(ConfigurationFactory.ParseString(extra).WithFallback(ConfigurationFactory.ParseString(Base)));

    [Fact]
    public void ValidConfig_HasNoErrors()
    {
        Assert.Empty(Validate(""));
        var s = SrsSettings.FromConfig(ConfigurationFactory.ParseString(Base));
        Assert.Equal(1935, s.RtmpListen.Port);
        Assert.Equal(1985, s.HttpApiListen.Port);
        Assert.Equal(TimeSpan.FromSeconds(3), s.SourceIdleTimeout);
        Assert.Equal(["a.example:1935"], s.EdgeOrigins);
        Assert.Equal(TimeSpan.FromSeconds(20), s.Limits.PublisherTimeout); // unset: the default
        Assert.Equal(TimeSpan.FromMilliseconds(1500),
            SrsSettings.FromConfig(ConfigurationFactory.ParseString("srs.rtmp.publisher-timeout = 1500ms").WithFallback(ConfigurationFactory.ParseString(Base))).Limits.PublisherTimeout);
        Assert.Equal(2, s.MergePhases); // unset: the default
        Assert.Equal(2500, s.MergePhasePlayers); // unset: the default
        Assert.Empty(Validate("srs.mw-phases = 1"));
        Assert.Equal(1, SrsSettings.FromConfig(ConfigurationFactory.ParseString("srs.mw-phases = 1").WithFallback(ConfigurationFactory.ParseString(Base))).MergePhases);
    }

    [Fact]
    public void GraceMaxWait_DefaultsToTenMinutes_OffMeansNoBound()
    {
        SrsSettings With(string extra) => SrsSettings.FromConfig(ConfigurationFactory.ParseString(extra).WithFallback(ConfigurationFactory.ParseString(Base)));
        Assert.Equal(TimeSpan.FromMinutes(10), With("").GraceMaxWait);
        Assert.Equal(TimeSpan.FromSeconds(90), With("srs.grace-max-wait = 90s").GraceMaxWait);
        Assert.Null(With("srs.grace-max-wait = off").GraceMaxWait);
        Assert.Empty(Validate("srs.grace-max-wait = off"));
        Assert.Contains(Validate("srs.grace-max-wait = forever"), e => e.StartsWith("srs.grace-max-wait:") && e.Contains("or off"));
    }

    [Theory]
    [InlineData("srs.role = relay", "srs.role:")]
    [InlineData("srs.rtmp.listen = \"nowhere\"", "srs.rtmp.listen:")]
    [InlineData("srs.queue-length = tenseconds", "srs.queue-length:")]
    [InlineData("srs.gop-cache = maybe", "srs.gop-cache:")]
    [InlineData("srs.gop_cache = on", "srs.gop_cache: unknown key")]
    [InlineData("srs { rtmp.listen = }", "srs.rtmp.listen: has no value")]
    [InlineData("srs.edge.origins = [\"nohostport\"]", "srs.edge.origins:")]
    [InlineData("srs.hooks.on-play = [\"ftp://x\"]", "srs.hooks.on-play:")]
    [InlineData("srs.rtmp.chunk-size = 64", "srs.rtmp.chunk-size:")]
    [InlineData("srs.upgrade-socket = relative.sock", "srs.upgrade-socket:")]
    [InlineData("srs.rtmp.publisher-timeout = 0s", "srs.rtmp.publisher-timeout: must be longer than zero")]
    [InlineData("srs.rtmp.handshake-timeout = 0s", "srs.rtmp.handshake-timeout: must be longer than zero")]
    [InlineData("srs.mw-phases = 0", "srs.mw-phases: must be between 1 and 8")]
    [InlineData("srs.mw-phases = 9", "srs.mw-phases: must be between 1 and 8")]
    [InlineData("srs.mw-phases = two", "srs.mw-phases:")]
    [InlineData("srs.mw-phase-players = 0", "srs.mw-phase-players: must be positive")]
    public void EachError_NamesItsKeyPath(string extra, string expectedPrefix)
    {
        var errors = Validate(extra);
        Assert.Contains(errors, e => e.StartsWith(expectedPrefix, StringComparison.Ordinal));
    }
}

public class UpgradeSocketSettingTests
{
    private static SrsSettings Read(string srs) => SrsSettings.FromConfig(ConfigurationFactory.ParseString($"srs {{ {srs} }}"));

    [Theory]
    [InlineData("role = origin", "/tmp/srs-upgrade-1935.sock")]
    [InlineData("upgrade-socket = auto, rtmp.listen = \"0.0.0.0:19350\"", "/tmp/srs-upgrade-19350.sock")]
    [InlineData("rtmp.listen = \"127.0.0.1:1936\"", "/tmp/srs-upgrade-127.0.0.1-1936.sock")]
    [InlineData("upgrade-socket = \"/run/srs/upgrade.sock\"", "/run/srs/upgrade.sock")]
    [InlineData("upgrade-socket = off", null)]
    public void The_path_is_derived_from_the_rtmp_listener_set_or_off(string srs, string? expected)
    {
        Assert.Empty(ConfigValidator.Validate(ConfigurationFactory.ParseString($"srs {{ {srs} }}")));
        Assert.Equal(expected, Read(srs).UpgradeSocket);
    }

    [Fact]
    public void A_path_too_long_for_a_unix_socket_is_an_error()
    {
        var errors = ConfigValidator.Validate(ConfigurationFactory.ParseString($"srs.upgrade-socket = \"/{new string('x', 120)}\""));
        Assert.Contains(errors, e => e.StartsWith("srs.upgrade-socket:", StringComparison.Ordinal) && e.Contains("too long"));
    }
}

public class HoconSyntaxTests
{
    [Theory]
    [InlineData("srs { rtmp.listen = \"127.0.0.1:1935\" ", "line 1: '{' is never closed")]
    [InlineData("srs { ]] }", "line 1: ']' closes the '{' opened at line 1")]
    [InlineData("srs { gop-cache = on } }", "line 1: unexpected '}'")]
    [InlineData("srs {\n  a = \"open\n}", "line 2: unclosed string")]
    [InlineData("srs {}\nakka.remote.dot-netty.tcp.hostname = ${?POD_IP}", "line 2: substitutions (${...}) are not supported: layer a generated file with -c instead")]
    [InlineData("srs { gop-cache = on,, queue-length = 10 }", "line 1: ',' must follow a value")]
    [InlineData("srs {\n  , gop-cache = on }", "line 2: ',' must follow a value")]
    [InlineData("srs.hooks.on-play = [, \"http://h/p\"]", "line 1: ',' must follow a value")]
    [InlineData("srs.gop-cache = , # comment", "line 1: ',' must follow a value")]
    public void Broken_text_is_reported_with_its_line(string text, string expected) =>
        Assert.Equal(expected, HoconSyntax.Check(text));

    [Theory]
    [InlineData("srs { rtmp.listen = \"0.0.0.0:1935\" } # a } comment")]
    [InlineData("srs { hooks.on-play = [\"http://h/p?a={x}\"] } // also ] a comment")]
    [InlineData("srs { a = \"\"\"multi\n{ line\"\"\" }\nakka.cluster.seed-nodes = []")]
    [InlineData("srs.queue-length = 10s\nsrs.http-api { enabled = on, listen = 1985 }")]
    [InlineData("srs { http-api { listen = \"127.0.0.1:29851\" }, http-server { listen = \"127.0.0.1:28080\" } }")]
    [InlineData("srs { hooks.on-play = [\"a\", \"b\",] } # a, comment")]
    public void Well_formed_text_passes(string text) => Assert.Null(HoconSyntax.Check(text));

    [Fact]
    public void A_comma_after_an_object_value_separates_fields()
    {
        const string text = "srs { http-api { listen = \"127.0.0.1:29851\" }, http-server { listen = \"127.0.0.1:28080\" } }";
        Assert.Null(HoconSyntax.Check(text));
        var config = ConfigurationFactory.ParseString(HoconSyntax.Normalize(text));
        Assert.Equal("127.0.0.1:29851", config.GetString("srs.http-api.listen"));
        Assert.Equal("127.0.0.1:28080", config.GetString("srs.http-server.listen"));
    }

    [Theory]
    [InlineData("a { x = 1 }, b { y = 2 }, c = 3")]
    [InlineData("a.b { x = 1 } , c = 3")]
    [InlineData("a { b { x = 1 }, }\nc = 3")]
    [InlineData("a { x = 1 } # a comment, with a comma\n, c = 3")]
    [InlineData("a = { x = 1 }\n, c = 3,")]
    public void Commas_separate_fields_as_newlines_do(string text)
    {
        Assert.Null(HoconSyntax.Check(text));
        var config = ConfigurationFactory.ParseString(HoconSyntax.Normalize(text));
        Assert.True(config.GetValue("a").IsObject());
        Assert.Equal(3, config.GetInt("c"));
    }

    [Theory]
    [InlineData("arr = [\"x,y\", z, ]", new[] { "x,y", "z" })]
    [InlineData("arr = [ \"x\"\n, \"y\" ]", new[] { "x", "y" })]
    [InlineData("arr = [\"\"\"x,\ny\"\"\", z]", new[] { "x,\ny", "z" })]
    public void Commas_separate_array_elements_and_stay_in_strings(string text, string[] expected)
    {
        Assert.Null(HoconSyntax.Check(text));
        Assert.Equal(expected, ConfigurationFactory.ParseString(HoconSyntax.Normalize(text)).GetStringList("arr"));
    }

    [Fact]
    public void Normalize_keeps_every_position()
    {
        const string text = "a { x = \"1,2\" }, b = [1, 2] // c, d";
        Assert.Equal("a { x = \"1,2\" }\n b = [1\n 2] // c, d", HoconSyntax.Normalize(text));
    }
}
