using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Interop.Tests.Support;
using AmiPki.Server;

namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>
/// Eight issuances at once through <see cref="AmiPkiRuntime"/> in this process, the issuing key on a SoftHSM2 token with a
/// session pool smaller than the number of callers: all succeed, with distinct serials, and openssl verifies every one.
/// </summary>
public sealed class Pkcs11ConcurrentIssuanceTests
{
    private const string PinVariable = "AMIPKI_INTEROP_TEST_PKCS11_PIN";

    [Test]
    public async Task Eight_concurrent_issuances_on_the_token_all_succeed()
    {
        var online = await SoftHsm.CreateTokenAsync("conc-online");
        Environment.SetEnvironmentVariable(PinVariable, online.UserPin);
        var data = Path.Combine(Path.GetTempPath(), "amipki-p11-conc-" + Guid.NewGuid().ToString("N")[..12]);
        var options = new AmiPkiOptions
        {
            DataDirectory = data,
            ProfilesDirectory = RepositoryPaths.Profiles,
            Pkcs11 = { ModulePath = SoftHsm.ModulePath, TokenLabel = online.Label, PinSource = "env:" + PinVariable, SessionPoolSize = 3 },
        };
        try
        {
            IssuedCertificate[] issued;
            List<byte[]> chain;
            await using (var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None))
            {
                // No root token configured: the development hierarchy goes entirely on the online token.
                await runtime.InitializeAsync("pkcs11", CancellationToken.None);
                var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
                Assert.That(runtime.Authorities!.Find("issuing-s1")!.Key.KeyReference, Does.StartWith($"pkcs11:token={online.Label};object=issuing-s1;"));

                var csrs = Enumerable.Range(0, 8).Select(i =>
                {
                    using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    return new CertificateRequest($"CN=4D4D4D00000A{i:X4}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
                }).ToArray();
                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var tasks = csrs.Select(csr => Task.Run(async () =>
                {
                    await start.Task;
                    return await issuance.IssueAsync(new EnrollmentRequest(csr, "meter-s1-signing", Requester.Administrator("test"), EnrollmentProtocol.Cli),
                        CancellationToken.None);
                })).ToArray();
                start.SetResult();
                issued = await Task.WhenAll(tasks);
                chain = (await runtime.Storage.Cas.ListAsync(CancellationToken.None)).OrderBy(c => c.Parent is not null).Select(c => c.CertificateDer).ToList();
            }

            Assert.That(issued.Select(c => c.SerialHex).Distinct().Count(), Is.EqualTo(8));
            var rootPem = Path.Combine(data, "root.pem");
            var chainPem = Path.Combine(data, "chain.pem");
            await File.WriteAllTextAsync(rootPem, PemEncoding.WriteString("CERTIFICATE", chain[0]) + "\n");
            await File.WriteAllTextAsync(chainPem, string.Concat(chain.Skip(1).Select(der => PemEncoding.WriteString("CERTIFICATE", der) + "\n")));
            var files = new List<string>();
            foreach (var certificate in issued)
            {
                var path = Path.Combine(data, certificate.SerialHex + ".pem");
                await File.WriteAllTextAsync(path, PemEncoding.WriteString("CERTIFICATE", certificate.Der) + "\n");
                files.Add(path);
            }
            var verify = await ExternalProcess.RunAsync("openssl", ["verify", "-x509_strict", "-CAfile", rootPem, "-untrusted", chainPem, .. files]);
            Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
            Assert.That(verify.StandardOutput.Split('\n').Count(line => line.EndsWith(": OK", StringComparison.Ordinal)), Is.EqualTo(8), verify.Describe());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
