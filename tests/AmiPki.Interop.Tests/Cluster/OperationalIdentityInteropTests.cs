using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Crash;
using AmiPki.Interop.Tests.Scep;
using AmiPki.Interop.Tests.Support;
using AmiPki.Protocols.Tests.Scep.Support;

namespace AmiPki.Interop.Tests.Cluster;

/// <summary>
/// Operational identities live in storage (DESIGN.md "State: nothing a client relies on lives in one process"), checked
/// with real <c>amipki serve</c> processes and real clients: a DCU pinning the CMP responder certificate
/// (<c>openssl cmp -srvcert</c>) keeps working after the node restarts; two nodes on one PostgreSQL database present the
/// same CMP responder and the same SCEP RA certificate, and a SCEP PKIOperation built against node A's GetCACert is
/// answered by node B.
/// </summary>
[CancelAfter(600_000)]
public sealed partial class OperationalIdentityInteropTests
{
    private const string Reference = "dcu-pinning";
    private string _work = null!;

    private string File(string name) => Path.Combine(_work, name);

    [OneTimeSetUp]
    public void Start()
    {
        _work = Path.Combine(Path.GetTempPath(), "amipki-opid-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_work);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [GeneratedRegex(@"secret \(shown once\): (\S+)")]
    private static partial Regex SecretLine();

    [Test]
    public async Task Openssl_cmp_pinning_the_responder_certificate_with_srvcert_works_across_a_restart()
    {
        await using var server = await AmiPkiServer.StartAsync();
        var dcu = await EnrollDcuAsync(server, "DCU-PIN-1");
        var responder = await CaptureResponderAsync(server.HttpPort, server, dcu, "pin-before");

        await server.KillAsync();
        await server.RestartAsync();
        var key = await KeyAsync("pin-after");
        var pinned = await CmpAsync(server.HttpPort, ["-cmd", "cr", "-srvcert", responder, "-cert", dcu.Certificate, "-key", dcu.Key, "-newkey", key,
            "-subject", "/CN=DCU-PIN-1", "-certout", File("pin-after.pem")]);
        Assert.That(pinned.ExitCode, Is.EqualTo(0), pinned.Describe() + "\nserver log:\n" + server.Log);
        Assert.That(System.IO.File.Exists(File("pin-after.pem")), Is.True);

        // The pin is checked: pinning another certificate (the root's) fails against the same node.
        var wrongKey = await KeyAsync("pin-wrong");
        var wrong = await CmpAsync(server.HttpPort, ["-cmd", "cr", "-srvcert", server.RootPemPath, "-cert", File("pin-after.pem"), "-key", key,
            "-newkey", wrongKey, "-subject", "/CN=DCU-PIN-1", "-certout", File("pin-wrong.pem")]);
        Assert.That(wrong.ExitCode, Is.Not.EqualTo(0), wrong.Describe());
    }

    [Test]
    public async Task Two_nodes_on_postgres_present_one_cmp_responder_and_one_scep_ra_and_answer_each_others_scep_requests()
    {
        await using var storage = await TestStorage.CreateAsync(StorageKind.Postgres);
        await using var nodeA = await AmiPkiServer.StartAsync(environment: storage.Environment("node-a"));
        await using var nodeB = await AmiPkiServer.StartAnotherNodeAsync(nodeA, storage.Environment("node-b")!);

        // SCEP: both nodes at once fetch GetCACert (each node's first use), and get one RA certificate.
        using var clientA = new ScepTestClient(new HttpClient { BaseAddress = new Uri(nodeA.HttpBase), Timeout = TimeSpan.FromSeconds(60) }, "/scep");
        using var clientB = new ScepTestClient(new HttpClient { BaseAddress = new Uri(nodeB.HttpBase), Timeout = TimeSpan.FromSeconds(60) }, "/scep");
        var both = await Task.WhenAll(clientA.CaCertAsync(), clientB.CaCertAsync());
        var raA = both[0].Ra;
        Assert.That(both[1].Ra.RawData, Is.EqualTo(raA.RawData), "node B presents node A's RA certificate");
        Assert.That(raA.Subject, Does.Contain("SCEP RA"));

        // A PKCSReq encrypted to node A's RA certificate, sent to node B, is decrypted and answered there.
        var challenge = await ScepPeers.AddChallengeAsync(nodeA);
        using var key = RSA.Create(2048);
        var signer = ScepTestClient.SelfSigned(key);
        var message = ScepTestClient.Build(19, ScepTestClient.Csr("CN=switch-cross-node", key, challenge, "switch-cross-node.example"), signer, key, raA,
            "txn-cross-node-1", RandomNumberGenerator.GetBytes(16));
        var reply = await clientB.SendAsync(message, raA, key, signer);
        Assert.That(reply.PkiStatus, Is.EqualTo("0"), reply.FailInfoText + "\nnode B log:\n" + nodeB.Log);
        Assert.That(reply.Signer.RawData, Is.EqualTo(raA.RawData), "signed by the shared RA");
        var issued = reply.Certificates.Single();
        Assert.That(issued.Subject, Is.EqualTo("CN=switch-cross-node"));
        var issuedPem = File("switch-cross-node.pem");
        await System.IO.File.WriteAllTextAsync(issuedPem, issued.ExportCertificatePem());
        await ScepPeers.VerifyAsync(nodeA, issuedPem);

        // CMP: the responder certificate node A signs with is the one node B signs with; pinned, node B is accepted.
        var dcu = await EnrollDcuAsync(nodeA, "DCU-CLUSTER-PIN-1");
        var responderA = await CaptureResponderAsync(nodeA.HttpPort, nodeA, dcu, "cluster-a");
        var responderB = await CaptureResponderAsync(nodeB.HttpPort, nodeB, dcu, "cluster-b");
        Assert.That(Certificate(responderB).RawData, Is.EqualTo(Certificate(responderA).RawData), "one CMP responder certificate");
        var pinnedKey = await KeyAsync("cluster-pinned");
        var pinned = await CmpAsync(nodeB.HttpPort, ["-cmd", "cr", "-srvcert", responderA, "-cert", dcu.Certificate, "-key", dcu.Key, "-newkey", pinnedKey,
            "-subject", "/CN=DCU-CLUSTER-PIN-1", "-certout", File("cluster-pinned.pem")]);
        Assert.That(pinned.ExitCode, Is.EqualTo(0), pinned.Describe() + "\nnode B log:\n" + nodeB.Log);
    }

    /// <summary>A DCU enrolled by ir with a MAC reference (the reference is stored, so any node of the instance knows it).</summary>
    private async Task<(string Certificate, string Key)> EnrollDcuAsync(AmiPkiServer server, string name)
    {
        var added = await server.CliAsync("cmp-credentials", "add", "--ref", Reference + "-" + name, "--profile", "dcu", "--reusable");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
        var secret = SecretLine().Match(added.StandardOutput).Groups[1].Value;
        var key = await KeyAsync(name);
        var certificate = File(name + ".pem");
        var ir = await CmpAsync(server.HttpPort, ["-cmd", "ir", "-recipient", "/CN=AmiPki", "-ref", Reference + "-" + name, "-secret", "pass:" + secret,
            "-newkey", key, "-subject", "/CN=" + name, "-certout", certificate]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe() + "\nserver log:\n" + server.Log);
        return (certificate, key);
    }

    /// <summary>
    /// A signature-protected genm (signed with the DCU's certificate, the response checked against the chain; it enrolls
    /// nothing, so the DCU's certificate stays current), saving the response's extraCerts; the first is the responder
    /// certificate (RFC 9483 §3.3), written to NAME-responder.pem.
    /// </summary>
    private async Task<string> CaptureResponderAsync(int port, AmiPkiServer server, (string Certificate, string Key) dcu, string name)
    {
        var genm = await CmpAsync(port, ["-cmd", "genm", "-infotype", "signKeyPairTypes", "-trusted", server.ChainPemPath, "-cert", dcu.Certificate,
            "-key", dcu.Key, "-extracertsout", File(name + "-extra.pem")]);
        Assert.That(genm.ExitCode, Is.EqualTo(0), genm.Describe() + "\nserver log:\n" + server.Log);
        var extra = new X509Certificate2Collection();
        extra.ImportFromPemFile(File(name + "-extra.pem"));
        var responder = extra[0];
        Assert.That(responder.Subject, Does.Contain("CMP Responder"), "a delegated responder signs, not the CA key");
        var path = File(name + "-responder.pem");
        await System.IO.File.WriteAllTextAsync(path, responder.ExportCertificatePem() + "\n");
        return path;
    }

    private static X509Certificate2 Certificate(string pem) => X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(pem));

    private static Task<ProcessResult> CmpAsync(int port, string[] arguments) =>
        ExternalProcess.RunAsync("openssl", ["cmp", "-server", $"127.0.0.1:{port}/.well-known/cmp", .. arguments], null, TimeSpan.FromSeconds(60));

    private async Task<string> KeyAsync(string name)
    {
        var key = File(name + ".key");
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
        return key;
    }
}
