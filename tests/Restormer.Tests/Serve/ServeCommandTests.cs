using Restormer.Cli.Commands;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Serve;

/// <summary>The <c>serve</c> command refuses settings that cannot work, before listening, with exit code 2.</summary>
public class ServeCommandTests
{
    [Theory]
    [InlineData("--port", "70000", "--port must be from 0 to 65535 (0 picks a free port); got 70000.")]
    [InlineData("--host", "example.com", "--host must be an IP address")]
    [InlineData("--max-upload-mb", "0", "--max-upload-mb must be from 0.001 to 4096 (MB); got 0.")]
    [InlineData("--threads", "0", "--threads must be from 1 to")]
    [InlineData("--weights-dir", "/no/such/models", "Models folder '/no/such/models' does not exist")]
    public void BadSettingIsAnErrorNamingTheOption(string option, string value, string message)
    {
        var models = option == "--weights-dir" ? value : TestPaths.NewTempDir("serve-models");
        var args = option == "--weights-dir" ? new[] { option, value } : [option, value, "--weights-dir", models];
        var result = CliRunner.Run(ServeCommand.Create(), args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: {message}", result.Err);
    }

    [Fact]
    public async Task PortInUseIsAnErrorSuggestingAnotherPort()
    {
        await using var running = await ServeTestServer.StartAsync();
        var port = running.Server.Address.Port.ToString();
        var result = CliRunner.Run(ServeCommand.Create(), "--port", port, "--weights-dir", running.ModelsFolder);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: Cannot listen on 127.0.0.1:{port}", result.Err);
        Assert.Contains("Choose another --port", result.Err);
    }
}
