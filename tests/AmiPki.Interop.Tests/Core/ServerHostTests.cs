using System.Text.Json;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>The host answers /health and serves CA certificates for AIA (checked with curl and openssl).</summary>
public sealed class ServerHostTests
{
    private AmiPkiServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await AmiPkiServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Health_answers_with_the_loaded_CAs()
    {
        var result = await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", $"{_server.HttpBase}/health");
        using var health = JsonDocument.Parse(result.StandardOutput);
        Assert.That(health.RootElement.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(health.RootElement.GetProperty("authorities").EnumerateArray().Select(e => e.GetString()),
            Is.EquivalentTo(new[] { "issuing-s1", "issuing-s2", "root" }));
    }

    [Test]
    public async Task CA_certificate_is_served_as_DER_for_AIA()
    {
        var file = Path.Combine(_server.DataDirectory, "issuing-s1.cer");
        var download = await ExternalProcess.RunAsync("curl", "-sS", "--fail", "-o", file, "-w", "%{content_type}", $"{_server.HttpBase}/ca/issuing-s1.cer");
        Assert.That(download.ExitCode, Is.EqualTo(0), download.Describe());
        Assert.That(download.StandardOutput, Is.EqualTo("application/pkix-cert"));
        var text = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", file, "-noout", "-subject");
        Assert.That(text.StandardOutput, Does.Contain("AmiPki Issuing CA Suite 1"));
        var verify = await ExternalProcess.RunAsync("openssl", "verify", "-x509_strict", "-CAfile", _server.RootPemPath, file);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
    }

    [Test]
    public async Task Unknown_CA_is_404()
    {
        var result = await ExternalProcess.RunAsync("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", $"{_server.HttpBase}/ca/nope.cer");
        Assert.That(result.StandardOutput, Is.EqualTo("404"));
    }
}
