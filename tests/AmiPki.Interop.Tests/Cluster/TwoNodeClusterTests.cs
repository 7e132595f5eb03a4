using System.Text.RegularExpressions;
using AmiPki.Core.Storage;
using AmiPki.Interop.Tests.Crash;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Cluster;

/// <summary>
/// Two real <c>amipki serve</c> nodes on one PostgreSQL database (issue 10): node-b runs on a copy of node-a's data
/// directory (the same CA keys), with its own node name and ports. Both enroll concurrently over EST (RFC 7030 §4.2.1);
/// then every serial is unique, every certificate is "good" over OCSP (RFC 6960) from both nodes, a revocation made on
/// node-a reaches node-b's OCSP and CRL within a bounded time (each node polls storage for revocations made elsewhere),
/// and <c>amipki audit verify</c> passes over both nodes' chains.
/// </summary>
[TestFixture]
public sealed partial class TwoNodeClusterTests
{
    private const int RequestsPerNode = 150;
    private const int InFlightPerNode = 16;
    private const string Account = "cluster-load";
    private const string Profile = "hes-client";
    private static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(60);

    private TestStorage _storage = null!;
    private AmiPkiServer _nodeA = null!;
    private AmiPkiServer _nodeB = null!;
    private string _secret = null!;

    [OneTimeSetUp]
    public async Task StartTwoNodes()
    {
        _storage = await TestStorage.CreateAsync(StorageKind.Postgres);
        _nodeA = await AmiPkiServer.StartAsync(https: true, environment: _storage.Environment("node-a"));
        var add = await _nodeA.CliAsync("est-account", "add", "--name", Account, "--allowed-profiles", Profile);
        Assert.That(add.ExitCode, Is.EqualTo(0), add.Describe());
        _secret = add.StandardOutput.Split('\n').Single(l => l.StartsWith("secret (shown once): ", StringComparison.Ordinal))["secret (shown once): ".Length..].Trim();
        _nodeB = await AmiPkiServer.StartAnotherNodeAsync(_nodeA, _storage.Environment("node-b")!);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var node in new[] { _nodeB, _nodeA })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    [Test]
    public async Task Concurrent_EST_on_two_nodes_gives_unique_serials_answered_by_both_OCSP_and_a_revocation_reaches_the_other_node()
    {
        // One EST account (stored in the shared database, made through node-a) enrolls on both nodes at once.
        var loadA = new EstLoad(_nodeA.HttpsBase, Profile, Account, _secret, _nodeA.RootPemPath, _nodeA.ChainPemPath, "cluster-a");
        var loadB = new EstLoad(_nodeB.HttpsBase, Profile, Account, _secret, _nodeB.RootPemPath, _nodeB.ChainPemPath, "cluster-b");
        var results = await Task.WhenAll(
            loadA.RunAsync(RequestsPerNode, InFlightPerNode, null, () => Task.CompletedTask),
            loadB.RunAsync(RequestsPerNode, InFlightPerNode, null, () => Task.CompletedTask));
        foreach (var (result, node) in results.Zip(["node-a", "node-b"]))
        {
            Assert.That(result.UnexpectedFailures, Is.Empty, $"{node}: {string.Join("\n", result.UnexpectedFailures.Take(10))}");
            Assert.That(result.Acknowledged, Has.Count.EqualTo(RequestsPerNode), node);
        }
        var acknowledged = results.SelectMany(r => r.Acknowledged).ToList();
        Assert.That(acknowledged.GroupBy(a => (a.IssuerDn, a.SerialHex.ToUpperInvariant())).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty,
            "a serial was handed out twice");

        IReadOnlyList<CertificateRecord> records;
        await using (var probe = await _storage.OpenProbeAsync(_nodeA.DataDirectory))
        {
            records = await probe.ListAllAsync();
        }
        Assert.That(records.GroupBy(r => (r.Issuer, r.SerialHex.ToUpperInvariant())).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty,
            "a serial stored twice for one issuer");
        var bySerial = records.ToLookup(r => r.SerialHex.ToUpperInvariant());
        var issued = acknowledged.Select(a => bySerial[a.SerialHex.ToUpperInvariant()]
            .SingleOrDefault(r => r.State == CertificateState.Issued && r.Der is not null && r.Der.AsSpan().SequenceEqual(a.Der))).ToList();
        Assert.That(issued, Has.None.Null, "every acknowledged certificate is stored with its bytes");

        // Every certificate is good over OCSP from both nodes (16 certificates per request, the responder's limit).
        var work = Path.Combine(_nodeA.DataDirectory, "cluster-work");
        Directory.CreateDirectory(work);
        var issuerPems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var issuer in issued.Select(r => r!.Issuer).Distinct())
        {
            issuerPems[issuer] = await IssuerPemAsync(work, issuer);
        }
        foreach (var node in new[] { _nodeA, _nodeB })
        {
            foreach (var group in issued.GroupBy(r => r!.Issuer))
            {
                foreach (var chunk in group.Select(r => r!.SerialHex).Chunk(16))
                {
                    var statuses = await OcspStatusesAsync(node, issuerPems[group.Key], chunk);
                    Assert.That(chunk.Select(s => statuses.GetValueOrDefault(s.ToUpperInvariant())), Is.All.EqualTo("good"),
                        $"OCSP of {node.HttpBase} for {group.Key}: {string.Join(", ", chunk.Select(s => $"{s}={statuses.GetValueOrDefault(s.ToUpperInvariant())}"))}");
                }
            }
        }

        // Node-b issued it; node-a revokes it; node-b's OCSP and CRL follow within the bound.
        var fromB = results[1].Acknowledged[0];
        var target = issued.Single(r => string.Equals(r!.SerialHex, fromB.SerialHex, StringComparison.OrdinalIgnoreCase))!;
        var revoke = await _nodeA.CliAsync("revoke", "--serial", target.SerialHex, "--issuer", target.Issuer, "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());
        var deadline = DateTime.UtcNow + PropagationLimit;
        bool ocspRevoked = false, crlListed = false;
        string lastOcsp = "", lastCrl = "";
        while (!(ocspRevoked && crlListed) && DateTime.UtcNow < deadline)
        {
            var statuses = await OcspStatusesAsync(_nodeB, issuerPems[target.Issuer], [target.SerialHex]);
            lastOcsp = statuses.GetValueOrDefault(target.SerialHex.ToUpperInvariant()) ?? "(none)";
            ocspRevoked = lastOcsp == "revoked";
            var crl = Path.Combine(work, "node-b.crl");
            await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", crl, $"{_nodeB.HttpBase}/crl/{target.Issuer}.crl");
            lastCrl = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", crl, "-noout", "-text")).StandardOutput;
            crlListed = lastCrl.Contains("Serial Number: " + target.SerialHex, StringComparison.OrdinalIgnoreCase);
            if (!(ocspRevoked && crlListed))
            {
                await Task.Delay(500);
            }
        }
        Assert.That(ocspRevoked, Is.True, $"node-b's OCSP still says {lastOcsp} for {target.SerialHex} {PropagationLimit} after node-a revoked it");
        Assert.That(crlListed, Is.True, $"node-b's CRL does not list {target.SerialHex} {PropagationLimit} after node-a revoked it:\n{lastCrl}");
        var fromA = await OcspStatusesAsync(_nodeA, issuerPems[target.Issuer], [target.SerialHex]);
        Assert.That(fromA.GetValueOrDefault(target.SerialHex.ToUpperInvariant()), Is.EqualTo("revoked"), "node-a's own OCSP");

        // One audit log, two chains (one per node), both intact.
        var audit = await _nodeB.CliAsync("audit", "verify");
        Assert.That(audit.ExitCode, Is.EqualTo(0), audit.Describe());
        var nodes = await _storage.ScalarAsync("SELECT string_agg(node, ',' ORDER BY node) FROM audit_heads;");
        Assert.That(((string)nodes!).Split(','), Is.SupersetOf(new[] { "node-a", "node-b" }), "each node appends to its own chain");
        TestContext.Progress.WriteLine($"two nodes: {acknowledged.Count} EST enrollments ({RequestsPerNode} per node, {InFlightPerNode} in flight each), " +
            $"{acknowledged.Count} unique serials, OCSP good from both nodes, revocation on node-a seen by node-b's OCSP and CRL; {audit.StandardOutput.Trim()} (chains: {nodes})");
    }

    private async Task<string> IssuerPemAsync(string work, string issuer)
    {
        var der = Path.Combine(work, issuer + ".cer");
        var pem = Path.Combine(work, issuer + ".pem");
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", der, $"{_nodeA.HttpBase}/ca/{issuer}.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", der, "-out", pem);
        return pem;
    }

    /// <summary>One OCSP request for <paramref name="serials"/> to <paramref name="node"/>, verified by openssl; serial (upper case) → status.</summary>
    private static async Task<Dictionary<string, string>> OcspStatusesAsync(AmiPkiServer node, string issuerPem, IEnumerable<string> serials)
    {
        var arguments = new List<string> { "ocsp", "-issuer", issuerPem, "-url", $"{node.HttpBase}/ocsp", "-CAfile", node.RootPemPath };
        foreach (var serial in serials)
        {
            arguments.AddRange(["-serial", "0x" + serial]);
        }
        var result = await ExternalProcess.RunAsync("openssl", arguments);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        Assert.That(result.StandardError + result.StandardOutput, Does.Contain("Response verify OK"), result.Describe());
        return StatusLine().Matches(result.StandardOutput).ToDictionary(m => m.Groups[1].Value.ToUpperInvariant(), m => m.Groups[2].Value);
    }

    [GeneratedRegex(@"^0x([0-9A-Fa-f]+): (good|revoked|unknown)", RegexOptions.Multiline)]
    private static partial Regex StatusLine();
}
