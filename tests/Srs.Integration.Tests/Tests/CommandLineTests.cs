using Srs.Integration.Tests.Harness;

namespace Srs.Integration.Tests.Tests;

/// <summary>Section 1: `-t -c FILE` checks a config (exit 0, or each error with its key path and exit 1); `-v` prints the version.</summary>
public sealed class CommandLineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("srs-itest-cli-");

    private string WriteConf(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Check_of_a_good_config_exits_0()
    {
        var ports = NodePorts.Pick();
        var good = WriteConf("good.conf", NodeProcess.BuildConfig(ports));

        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-t", "-c", good);

        Assert.True(code == 0, $"`-t -c good.conf` should exit 0, exited {code}. Output:\n{output}");
    }

    [Fact]
    public async Task Check_accepts_a_comma_after_an_object_value()
    {
        var conf = WriteConf("commas.conf", """srs { http-api { listen = "127.0.0.1:29851" }, http-server { listen = "127.0.0.1:28080" } }""");

        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-t", "-c", conf);

        Assert.True(code == 0, $"`-t -c commas.conf` should exit 0, exited {code}. Output:\n{output}");
    }

    /// <summary>Every config under hocon/, found on disk, so a config added later is checked too.</summary>
    public static TheoryData<string> ShippedConfigs()
    {
        var root = NodeBinary.RepositoryRoot;
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "hocon"), "*.conf", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedConfigs))]
    public async Task Check_of_each_shipped_config_exits_0(string shipped)
    {
        var path = Path.Combine(NodeBinary.RepositoryRoot, shipped);
        Assert.True(File.Exists(path), $"{shipped} is missing");

        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-t", "-c", path);

        Assert.True(code == 0, $"`-t -c {shipped}` should exit 0, exited {code}. Output:\n{output}");
    }

    [Fact]
    public async Task Check_of_a_bad_config_exits_1_and_names_each_key_path()
    {
        var bad = WriteConf("bad.conf", """
            srs {
              rtmp.listen = "127.0.0.1:99999"
              source.idle-timeout = banana
              gop-cache = maybe
            }
            """);

        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-t", "-c", bad);

        Assert.True(code == 1, $"`-t -c bad.conf` should exit 1, exited {code}. Output:\n{output}");
        foreach (var key in new[] { "srs.rtmp.listen", "srs.source.idle-timeout", "srs.gop-cache" })
            Assert.True(output.Contains(key, StringComparison.Ordinal), $"the output should name the key path {key}. Output:\n{output}");
    }

    [Theory]
    [InlineData("unclosed brace", "srs { rtmp.listen = \"127.0.0.1:1935\" ")]
    [InlineData("stray brackets", "srs { ]] }")]
    [InlineData("extra closing brace", "srs { gop-cache = on } }")]
    public async Task Check_of_an_unparsable_config_exits_1(string what, string text)
    {
        var broken = WriteConf(what.Replace(' ', '-') + ".conf", text);

        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-t", "-c", broken);

        Assert.True(code == 1, $"`-t` on an unparsable file should exit 1, exited {code}. Output:\n{output}");
        Assert.True(output.Trim().Length > 0, "it should say what is wrong");
    }

    [Fact]
    public async Task Check_of_a_key_without_a_value_names_the_key_in_plain_words()
    {
        var bad = WriteConf("empty-value.conf", "srs { rtmp.listen = }");

        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-t", "-c", bad);

        Assert.True(code == 1, $"`-t` should exit 1, exited {code}. Output:\n{output}");
        Assert.True(output.Contains("srs.rtmp.listen", StringComparison.Ordinal), $"the output should name srs.rtmp.listen. Output:\n{output}");
        Assert.False(output.Contains("Object reference not set", StringComparison.Ordinal),
            $"the error should say what is wrong with the value, not leak a NullReferenceException message. Output:\n{output}");
    }

    [Fact]
    public async Task Version_prints_a_version_and_exits_0()
    {
        var (code, output) = await NodeBinary.RunToExitAsync(Timeout, "-v");

        Assert.True(code == 0, $"`-v` should exit 0, exited {code}. Output:\n{output}");
        Assert.Matches(@"\d+\.\d+\.\d+", output);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
