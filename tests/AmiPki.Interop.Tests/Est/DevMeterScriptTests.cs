using System.Runtime.Versioning;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Est;

/// <summary>
/// certs-dev/dev-meter.sh, the README's way to try zero-touch enrollment locally: the script makes a factory and a
/// meter and registers them; the meter then enrolls over EST with curl exactly as the script prints.
/// </summary>
[TestFixture]
[NonParallelizable]
[SupportedOSPlatform("linux")] // a bash script and Unix file modes
public sealed class DevMeterScriptTests
{
    private const string SystemTitle = "4D4D4D00DEADBEEF";

    [Test]
    public async Task A_meter_made_by_the_script_enrolls_with_its_factory_certificate()
    {
        var output = Path.Combine(Path.GetTempPath(), "amipki-devmeter-" + Guid.NewGuid().ToString("N")[..8]);
        var environment = new Dictionary<string, string>(AmiPkiServer.Environment)
        {
            ["AMIPKI_DEV_OUT"] = output,
            ["AMIPKI_CLI"] = $"dotnet {RepositoryPaths.AmiPkiDll}",
        };
        ProcessResult? script = null;
        try
        {
            await using var server = await AmiPkiServer.StartAsync(https: true, beforeServe: async data =>
            {
                script = await ExternalProcess.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "certs-dev", "dev-meter.sh"), SystemTitle, data],
                    null, TimeSpan.FromSeconds(120), environment);
                Assert.That(script.ExitCode, Is.EqualTo(0), script.Describe());
            });
            Assert.That(script!.StandardOutput, Does.Contain($"meter {SystemTitle} registered"));
            var keyMode = File.GetUnixFileMode(Path.Combine(output, $"meter-{SystemTitle}-idevid.key"));
            Assert.That(keyMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead), Is.EqualTo(UnixFileMode.None), "throwaway keys are still private");

            var meter = Path.Combine(output, $"meter-{SystemTitle}");
            var body = Path.Combine(output, "enrolled.p7.b64");
            var curl = await ExternalProcess.RunAsync("curl", ["-sS", "--max-time", "60", "-w", "%{http_code}", "--cacert", Path.Combine(output, "amipki-root.pem"),
                "--cert", $"{meter}-idevid.pem", "--key", $"{meter}-idevid.key", "-H", "Content-Type: application/pkcs10",
                "--data-binary", $"@{meter}-operational.csr.b64", "-o", body, $"{server.HttpsBase}/.well-known/est/meter-s1-signing/simpleenroll"],
                null, TimeSpan.FromSeconds(90));
            Assert.That(curl.StandardOutput.Trim(), Is.EqualTo("200"), curl.Describe() + server.Log);

            await ExternalProcess.RunCheckedAsync("openssl", "base64", "-d", "-in", body, "-out", body + ".der");
            var certificates = await ExternalProcess.RunCheckedAsync("openssl", "pkcs7", "-inform", "DER", "-in", body + ".der", "-print_certs");
            await File.WriteAllTextAsync(body + ".pem", certificates.StandardOutput);
            var text = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", body + ".pem", "-noout", "-subject");
            Assert.That(text.StandardOutput, Does.Contain($"CN={SystemTitle}").Or.Contain($"CN = {SystemTitle}"));
            var verify = await ExternalProcess.RunAsync("openssl", "verify", "-CAfile", server.ChainPemPath, body + ".pem");
            Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
