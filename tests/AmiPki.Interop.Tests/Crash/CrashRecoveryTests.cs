using System.Diagnostics;
using System.Globalization;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Interop.Tests.Support;
using AmiPki.Keys.Testing;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>
/// Crash safety of issuance (issue 10; DESIGN.md pipeline steps 6–10): a real <c>amipki serve</c> enrolling over EST with
/// 32 requests in flight is killed with SIGKILL at a random (seeded) moment, restarted on the same data directory, and
/// checked, ten times over, on SQLite and on PostgreSQL. Every kill lands while requests are held between the durable
/// reservation of their serial and their signature (the test-only <c>AmiPki:Testing:SigningHoldFile</c>: the test creates
/// the file, waits until the server says signatures are held, then kills), so every round exercises the recovery of
/// orphaned intents, whatever the machine's speed; without the hold, a fast machine could finish every in-flight
/// signature before the kill and leave recovery untested. After each restart: every certificate a client received is in storage with its serial and
/// bytes, no serial twice per issuer, the audit chain verifies, the intents cut short are OutcomeUnknown (audited, listed,
/// never reused), and the next round shows the server issues again. Finally one orphaned serial is revoked and shows up
/// on the served CRL and as revoked over OCSP.
/// </summary>
[TestFixture(StorageKind.Sqlite)]
[TestFixture(StorageKind.Postgres)]
public sealed class CrashRecoveryTests(StorageKind kind)
{
    private const int Iterations = 10;
    private const int RequestsPerIteration = 1_000;
    private const int InFlight = 32;
    private const int FinalRequests = 200;
    private const string Account = "crash-load";
    private const string Profile = "hes-client";
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Held signatures to wait for before the kill: more than the three CAs' CRL signatures (the only other software-key
    /// signatures a server makes unprompted), so at least one held signature is an issuance whose intent is reserved.
    /// </summary>
    private const int HeldBeforeKill = 4;

    private static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(40);

    /// <summary>While this file exists the server under test holds every software-key signature (test-only setting).</summary>
    private readonly string _holdFile = Path.Combine(Path.GetTempPath(), "amipki-signing-hold-" + Guid.NewGuid().ToString("N")[..12]);

    private TestStorage _storage = null!;
    private AmiPkiServer _server = null!;
    private string _secret = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _storage = await TestStorage.CreateAsync(kind);
        var environment = _storage.Environment() ?? new Dictionary<string, string>();
        environment["AMIPKI_Testing__SigningHoldFile"] = _holdFile;
        _server = await AmiPkiServer.StartAsync(https: true, environment: environment);
        var add = await _server.CliAsync("est-account", "add", "--name", Account, "--allowed-profiles", Profile);
        Assert.That(add.ExitCode, Is.EqualTo(0), add.Describe());
        _secret = add.StandardOutput.Split('\n').Single(l => l.StartsWith("secret (shown once): ", StringComparison.Ordinal))["secret (shown once): ".Length..].Trim();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
        File.Delete(_holdFile);
    }

    [Test]
    public async Task SIGKILL_during_concurrent_issuance_loses_no_acknowledged_certificate_and_keeps_orphaned_serials_reserved()
    {
        var seed = Environment.GetEnvironmentVariable("AMIPKI_CRASH_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        Say($"crash test ({kind}): seed {seed} (rerun with AMIPKI_CRASH_SEED={seed}); {Iterations} rounds of {RequestsPerIteration} EST enrollments, {InFlight} in flight");
        var clock = Stopwatch.StartNew();
        var acknowledged = new List<AcknowledgedCertificate>();
        var orphans = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var load = new EstLoad(_server.HttpsBase, Profile, Account, _secret, _server.RootPemPath, _server.ChainPemPath, $"crash-{seed}");
        var kills = 0;

        for (var round = 1; round <= Iterations; round++)
        {
            // The kill lands after a random number of acknowledgements, whatever the machine's speed: always mid-run.
            var killAt = random.Next(50, RequestsPerIteration - 50);
            var pid = _server.ProcessId;
            var result = await load.RunAsync(RequestsPerIteration, InFlight, killAt, () => HoldSignaturesThenKillAsync(round));
            Assert.That(result.UnexpectedFailures, Is.Empty, $"round {round}: failures before the kill:\n{string.Join("\n", result.UnexpectedFailures.Take(10))}\n{_server.Log}");
            Assert.That(result.Killed, Is.True, $"round {round}: the server never acknowledged {killAt} enrollments");
            kills++;
            acknowledged.AddRange(result.Acknowledged);

            await _server.RestartAsync();
            var found = await CheckAfterRestartAsync(round, acknowledged, orphans);
            Assert.That(found, Is.GreaterThan(0),
                $"round {round}: the kill came while signatures were held, yet recovery found no orphaned intent (seed {seed})\n{_server.Log}");
            Say($"round {round}: SIGKILL to pid {pid} at acknowledgement {killAt}; {result.Acknowledged.Count} acknowledged, {result.FailedAfterKill} cut off; " +
                $"restart found {found} orphaned intent(s); totals: {acknowledged.Count} acknowledged, {orphans.Count} outcome-unknown; {clock.Elapsed.TotalSeconds:F1} s");
        }

        // The last restart resumes: a full run without a kill succeeds entirely.
        var final = await load.RunAsync(FinalRequests, InFlight, null, () => Task.CompletedTask);
        Assert.That(final.UnexpectedFailures, Is.Empty, string.Join("\n", final.UnexpectedFailures.Take(10)));
        Assert.That(final.Acknowledged, Has.Count.EqualTo(FinalRequests));
        acknowledged.AddRange(final.Acknowledged);
        Assert.That(await CheckAfterRestartAsync(Iterations + 1, acknowledged, orphans), Is.Zero, "no restart, no new orphan");

        Assert.That(orphans, Is.Not.Empty,
            $"none of {kills} kills left an intent between reservation and record (seed {seed}); the recovery path was not exercised");
        await RevokeAnOrphanAsync(orphans.Order(StringComparer.Ordinal).First());

        Say($"crash test ({kind}) figures: seed {seed}, rounds {Iterations}, SIGKILLs {kills}, restarts {kills}, acknowledged certificates {acknowledged.Count} " +
            $"(lost 0), duplicate serials 0, orphaned intents found {orphans.Count} (outcome-unknown, never reused), audit verified after every restart, " +
            $"{clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// The kill of one round: hold every signature (create the hold file), wait until the server has reported
    /// <see cref="HeldBeforeKill"/> held signatures since its last start (requests keep arriving: <see cref="EstLoad"/> goes on
    /// starting them until this returns), SIGKILL it, and release the hold so the restart signs again.
    /// </summary>
    private async Task HoldSignaturesThenKillAsync(int round)
    {
        await File.WriteAllTextAsync(_holdFile, $"CrashRecoveryTests round {round}: signatures held until the SIGKILL");
        try
        {
            var deadline = DateTime.UtcNow + HoldLimit;
            int held;
            while ((held = HeldSinceLastStart()) < HeldBeforeKill)
            {
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"round {round}: only {held} signature(s) held within {HoldLimit}:\n{_server.Log}");
                }
                await Task.Delay(20);
            }
        }
        finally
        {
            await _server.KillAsync();
            File.Delete(_holdFile);
        }
    }

    private int HeldSinceLastStart()
    {
        var log = _server.Log;
        var start = log.LastIndexOf(AmiPkiServer.RestartMarker, StringComparison.Ordinal);
        var held = 0;
        for (var at = Math.Max(start, 0); (at = log.IndexOf(SigningHoldKeyProvider.HeldMarker, at, StringComparison.Ordinal)) >= 0; at++)
        {
            held++;
        }
        return held;
    }

    /// <summary>Every check of one restart; returns how many orphaned intents this restart's recovery found.</summary>
    private async Task<int> CheckAfterRestartAsync(int round, List<AcknowledgedCertificate> acknowledged, HashSet<string> orphans)
    {
        var audit = await _server.CliAsync("audit", "verify");
        Assert.That(audit.ExitCode, Is.EqualTo(0), $"round {round}: {audit.Describe()}");

        IReadOnlyList<CertificateRecord> records;
        int recoveryEntries;
        await using (var probe = await _storage.OpenProbeAsync(_server.DataDirectory))
        {
            records = await probe.ListAllAsync();
            recoveryEntries = (await probe.ReadAuditAsync()).Count(e => e.Event.Outcome == OrphanedIntentRecovery.AuditOutcome);
        }

        var duplicates = records.GroupBy(r => (r.Issuer, r.SerialHex.ToUpperInvariant())).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.That(duplicates, Is.Empty, $"round {round}: serials stored twice for one issuer");
        var acknowledgedTwice = acknowledged.GroupBy(a => (a.IssuerDn, a.SerialHex.ToUpperInvariant())).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.That(acknowledgedTwice, Is.Empty, $"round {round}: a serial was handed out twice by one issuer");

        var bySerial = records.ToLookup(r => r.SerialHex.ToUpperInvariant());
        var lost = acknowledged.Where(a => !bySerial[a.SerialHex.ToUpperInvariant()]
            .Any(r => r.State == CertificateState.Issued && r.Der is not null && r.Der.AsSpan().SequenceEqual(a.Der))).ToList();
        Assert.That(lost.Select(a => a.SerialHex), Is.Empty, $"round {round}: acknowledged certificates missing from storage (or stored with other bytes)");

        var signing = records.Where(r => r.State == CertificateState.Signing).Select(r => r.SerialHex).ToList();
        Assert.That(signing, Is.Empty, $"round {round}: intents still Signing after the recovery pass with nothing in flight");
        var unknown = records.Where(r => r.State == CertificateState.OutcomeUnknown).Select(r => r.SerialHex.ToUpperInvariant()).ToHashSet();
        Assert.That(orphans.Where(o => !unknown.Contains(o.ToUpperInvariant())), Is.Empty, $"round {round}: an earlier orphan changed state (reused?)");
        Assert.That(unknown.Where(u => acknowledged.Any(a => string.Equals(a.SerialHex, u, StringComparison.OrdinalIgnoreCase))), Is.Empty,
            $"round {round}: an acknowledged certificate was marked outcome-unknown");
        var found = unknown.Count(u => orphans.Add(u));
        Assert.That(recoveryEntries, Is.EqualTo(orphans.Count), $"round {round}: one audit entry per orphaned intent");

        var list = await _server.CliAsync("list", "--status", "outcome-unknown", "--limit", "1000000");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
        Assert.That(list.StandardOutput, Does.Contain($"{orphans.Count} certificate(s)"), list.Describe());
        Assert.That(orphans, Is.All.Matches<string>(o => list.StandardOutput.Contains(o, StringComparison.OrdinalIgnoreCase)));
        if (found > 0)
        {
            var log = _server.Log;
            var sinceRestart = log[(log.LastIndexOf(AmiPkiServer.RestartMarker, StringComparison.Ordinal) + 1)..];
            Assert.That(sinceRestart, Does.Contain($"Recovered {found} orphaned issuance intent(s)"), "the server says what it recovered");
        }
        return found;
    }

    /// <summary>An orphaned serial is revocable through the ordinary path, then listed on the served CRL and revoked over OCSP.</summary>
    private async Task RevokeAnOrphanAsync(string serial)
    {
        var show = await _server.CliAsync("show", serial);
        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("state:       outcome-unknown"));
        var issuer = show.StandardOutput.Split('\n').Single(l => l.StartsWith("issuer:", StringComparison.Ordinal))["issuer:".Length..].Trim();
        var work = Path.Combine(_server.DataDirectory, "crash-work");
        Directory.CreateDirectory(work);
        var issuerPem = Path.Combine(work, issuer + ".pem");
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", Path.Combine(work, issuer + ".cer"), $"{_server.HttpBase}/ca/{issuer}.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", Path.Combine(work, issuer + ".cer"), "-out", issuerPem);
        var before = await OcspAsync(issuerPem, serial);
        Assert.That(before.StandardOutput, Does.Contain($"0x{serial}: unknown").IgnoreCase, "an orphan is never good over OCSP: " + before.Describe());

        var revoke = await _server.CliAsync("revoke", "--serial", serial, "--issuer", issuer, "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());

        var crlListed = false;
        var ocspRevoked = false;
        var deadline = DateTime.UtcNow + PollLimit;
        string crlText = "", ocspText = "";
        while (!(crlListed && ocspRevoked) && DateTime.UtcNow < deadline)
        {
            var der = Path.Combine(work, "served.crl");
            await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", der, $"{_server.HttpBase}/crl/{issuer}.crl");
            crlText = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", der, "-noout", "-text")).StandardOutput;
            crlListed = crlText.Contains("Serial Number: " + serial, StringComparison.OrdinalIgnoreCase);
            ocspText = (await OcspAsync(issuerPem, serial)).StandardOutput;
            ocspRevoked = ocspText.Contains($"0x{serial}: revoked", StringComparison.OrdinalIgnoreCase);
            if (!(crlListed && ocspRevoked))
            {
                await Task.Delay(500);
            }
        }
        Assert.That(crlListed, Is.True, $"the served CRL never listed orphan {serial} within {PollLimit}:\n{crlText}");
        Assert.That(ocspRevoked, Is.True, $"OCSP never said revoked for orphan {serial} within {PollLimit}:\n{ocspText}");
        Say($"orphan {issuer}/{serial}: OCSP unknown before revocation; revoked with `amipki revoke --serial`; listed on the served CRL and revoked over OCSP");
    }

    private Task<ProcessResult> OcspAsync(string issuerPem, string serial) =>
        ExternalProcess.RunAsync("openssl", "ocsp", "-issuer", issuerPem, "-serial", "0x" + serial, "-url", $"{_server.HttpBase}/ocsp",
            "-CAfile", _server.RootPemPath);

    private static void Say(string line)
    {
        TestContext.Progress.WriteLine(line);
        TestContext.Out.WriteLine(line);
    }
}
