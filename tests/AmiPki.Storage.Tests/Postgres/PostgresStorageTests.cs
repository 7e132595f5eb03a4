using AmiPki.Core.Audit;
using AmiPki.Core.Approvals;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Storage.Migrations;
using AmiPki.Storage.Postgres;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>
/// What only the PostgreSQL backend promises: migrations shared safely by nodes starting together, and several nodes
/// (here several storages in one process, each with its own writer and connection pool) on one database.
/// </summary>
[TestFixture]
public sealed class PostgresStorageTests
{
    private const string Issuer = "issuing-p256";
    private static readonly int Migrations = MigrationCatalog.Load(MigrationCatalog.Postgres).Count;
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567);

    private PostgresStorageFactory _database = null!;

    [SetUp]
    public void CreateSchema() => _database = new PostgresStorageFactory();

    [TearDown]
    public async Task DropSchema() => await _database.DisposeAsync();

    private Task<PostgresStorage> OpenAsync(string node = "node-a") => _database.OpenStorageAsync(node, TimeProvider.System);

    private static IssuanceIntent Intent(string serial) =>
        new(Issuer, serial, "meter-s1-sign", "CN=meter", T0, T0.AddYears(10), "est:device", "est", T0, null, null, null, null);

    private static string Serial(int n) => $"7f{n:x30}";

    [Test]
    public async Task Migrations_run_once_however_often_the_database_is_opened()
    {
        await using (var first = await OpenAsync())
        {
            Assert.That(first.SchemaVersion, Is.EqualTo(Migrations));
        }
        await using (var second = await OpenAsync())
        {
            Assert.That(second.SchemaVersion, Is.EqualTo(Migrations));
        }

        Assert.That(await _database.ScalarAsync("SELECT COUNT(*) FROM schema_version;"), Is.EqualTo((long)Migrations));
        Assert.That(await _database.ScalarAsync("SELECT name FROM schema_version WHERE version = 1;"), Is.EqualTo("initial"));
    }

    [Test]
    public async Task Nodes_starting_together_migrate_once()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => OpenAsync($"node-{i}")));
        foreach (var storage in opened)
        {
            await storage.DisposeAsync();
        }

        Assert.That(await _database.ScalarAsync("SELECT COUNT(*) FROM schema_version;"), Is.EqualTo((long)Migrations));
    }

    [Test]
    public async Task A_database_from_a_newer_amipki_is_refused()
    {
        await (await OpenAsync()).DisposeAsync();
        await _database.ExecuteRawAsync("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', '2030-01-01T00:00:00.0000000Z');");

        var refusal = Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync());
        Assert.That(refusal!.Message, Does.Contain("99"));
    }

    [Test]
    public async Task Times_are_stored_as_fixed_width_utc_text_as_in_sqlite()
    {
        await using (var storage = await OpenAsync())
        {
            var at = new DateTimeOffset(2026, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)).AddTicks(1);
            await storage.Audit.AppendAsync(new AuditEvent(at, "login", "admin", "success", ""), CancellationToken.None);
        }

        Assert.That(await _database.ScalarAsync("SELECT at FROM audit_log;"), Is.EqualTo("2026-01-02T03:04:05.0000001Z"));
    }

    [Test]
    public async Task A_node_whose_connections_were_cut_resumes_writing()
    {
        // As when PostgreSQL restarts or fails over: every connection of the node is terminated by the server.
        var node = "node-" + Guid.NewGuid().ToString("N")[..8];
        await using var storage = await OpenAsync(node);
        await storage.Audit.AppendAsync(new AuditEvent(T0, "login", "admin", "success", "before"), CancellationToken.None);

        await _database.ExecuteRawAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'amipki {node}';");

        await storage.Audit.AppendAsync(new AuditEvent(T0, "login", "admin", "success", "after"), CancellationToken.None);
        Assert.That(await storage.Issuance.TryReserveAsync(Intent(Serial(1)), CancellationToken.None), Is.True);
        var verification = await storage.Audit.VerifyAsync(CancellationToken.None);
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(2));
    }

    [Test]
    public async Task Two_nodes_issuing_concurrently_never_share_a_serial_and_both_audit_chains_verify()
    {
        // Both nodes walk the same small ring of candidate serials from different places, so they collide constantly: the unique key
        // (issuer, serial) must give each serial to exactly one node, the loser drawing another (the core's retry path).
        const int perNode = 400;
        await using var nodeA = await OpenAsync("node-a");
        await using var nodeB = await OpenAsync("node-b");
        var candidates = Enumerable.Range(0, 3 * perNode).Select(Serial).ToArray();

        async Task<List<string>> IssueAsync(PostgresStorage node, string name, int offset)
        {
            var issued = new List<string>();
            var next = offset;
            var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    lock (issued)
                    {
                        if (issued.Count >= perNode)
                        {
                            return;
                        }
                    }
                    var serial = candidates[Interlocked.Increment(ref next) % candidates.Length];
                    if (!await node.Issuance.TryReserveAsync(Intent(serial), CancellationToken.None))
                    {
                        continue; // taken, by this node or the other: draw again
                    }
                    await node.Issuance.CompleteAsync(Issuer, serial, [1, 2, 3], "00",
                        new AuditEvent(DateTimeOffset.UtcNow, "issuance", name, "success", $"serial={serial}"), CancellationToken.None);
                    lock (issued)
                    {
                        issued.Add(serial);
                    }
                }
            })).ToArray();
            await Task.WhenAll(workers);
            return issued;
        }

        var results = await Task.WhenAll(IssueAsync(nodeA, "node-a", 0), IssueAsync(nodeB, "node-b", perNode / 2));

        var all = results[0].Concat(results[1]).ToList();
        Assert.That(all, Is.Unique, "no serial issued twice");
        Assert.That(results[0], Has.Count.GreaterThanOrEqualTo(perNode));
        Assert.That(results[1], Has.Count.GreaterThanOrEqualTo(perNode));
        var stored = await nodeB.Certificates.ListAsync(new CertificateQuery(Limit: 10_000), CancellationToken.None);
        Assert.That(stored.Select(r => r.SerialHex), Is.EquivalentTo(all), "every issued serial recorded once, readable from the other node");
        Assert.That(stored.Select(r => r.State), Is.All.EqualTo(CertificateState.Issued));
        var verification = await nodeA.Audit.VerifyAsync(CancellationToken.None);
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(all.Count));
        var heads = await nodeA.Audit.ReadHeadsAsync(CancellationToken.None);
        Assert.That(heads.Select(h => (h.Node, h.Sequence)), Is.EquivalentTo(new[] { ("node-a", (long)results[0].Count), ("node-b", (long)results[1].Count) }));
    }

    [Test]
    public async Task Crl_numbers_from_two_nodes_are_unique_and_strictly_increasing()
    {
        await using var nodeA = await OpenAsync("node-a");
        await using var nodeB = await OpenAsync("node-b");

        // Concurrently: every number handed out once, none skipped.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            (i % 2 == 0 ? nodeA : nodeB).Revocations.NextCrlNumberAsync(Issuer, CancellationToken.None)));
        Assert.That(concurrent, Is.EquivalentTo(Enumerable.Range(1, 200).Select(n => (long)n)));

        // One after the other, alternating nodes: each number greater than the one before, whichever node allocated it.
        var sequential = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            sequential.Add(await (i % 2 == 0 ? nodeB : nodeA).Revocations.NextCrlNumberAsync(Issuer, CancellationToken.None));
        }
        Assert.That(sequential, Is.EqualTo(Enumerable.Range(201, 20).Select(n => (long)n)));
    }

    [Test]
    public async Task A_revocation_on_one_node_is_seen_by_the_other_once_acknowledged()
    {
        await using var nodeA = await OpenAsync("node-a");
        await using var nodeB = await OpenAsync("node-b");
        Assert.That(await nodeA.Issuance.TryReserveAsync(Intent(Serial(1)), CancellationToken.None), Is.True);
        await nodeA.Issuance.CompleteAsync(Issuer, Serial(1), [1], "00", new AuditEvent(T0, "issuance", "a", "success", "1"), CancellationToken.None);

        Assert.That(await nodeB.Revocations.RevokeAsync(Issuer, [Serial(1)], new RevocationInfo(RevocationReason.KeyCompromise, T0, null), "admin",
            null, CancellationToken.None), Is.EqualTo(1));

        Assert.That((await nodeA.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None))!.Revocation!.Reason,
            Is.EqualTo(RevocationReason.KeyCompromise));
        var listed = new List<RevokedEntry>();
        await foreach (var entry in nodeA.Revocations.ListRevokedAsync(Issuer, null, CancellationToken.None))
        {
            listed.Add(entry);
        }
        Assert.That(listed.Select(e => e.SerialHex), Is.EqualTo(new[] { Serial(1) }));
        Assert.That(await nodeA.Issuance.TryReserveAsync(Intent(Serial(1).ToUpperInvariant()), CancellationToken.None), Is.False);
    }

    [Test]
    public async Task Pending_requests_are_shared_by_every_node()
    {
        await using var nodeA = await OpenAsync("node-a");
        await using var nodeB = await OpenAsync("node-b");
        await using var queueA = await nodeA.OpenPendingRequestsAsync(CancellationToken.None);
        await using var queueB = await nodeB.OpenPendingRequestsAsync(CancellationToken.None);
        var request = new PendingRequest("r1", "est", "hes-client", "est:hes", "CN=hes01", [1, 2], null, null, PendingRequestState.Pending, T0,
            null, null, null, null, null, null);

        Assert.That((await queueA.SubmitAsync(request, CancellationToken.None)).State, Is.EqualTo(PendingRequestState.Pending));
        Assert.That((await queueA.SubmitAsync(request, CancellationToken.None)).Id, Is.EqualTo("r1"), "a resubmission finds the same request");
        Assert.That(await queueB.ListAsync(PendingRequestState.Pending, 10, CancellationToken.None), Has.Count.EqualTo(1));

        var decisions = await Task.WhenAll(queueA.DecideAsync("r1", true, "admin-a", null, T0, CancellationToken.None),
            queueB.DecideAsync("r1", false, "admin-b", "no", T0, CancellationToken.None));
        Assert.That(decisions.Count(d => d), Is.EqualTo(1), "decided once");
        var decided = await queueB.FindAsync("r1", CancellationToken.None);
        if (decided!.State == PendingRequestState.Approved)
        {
            Assert.That(await queueB.MarkIssuedAsync("r1", Issuer, "01", [9], CancellationToken.None), Is.True);
            Assert.That(await queueA.MarkIssuedAsync("r1", Issuer, "02", [9], CancellationToken.None), Is.False, "issued once");
            Assert.That((await queueA.FindAsync("r1", CancellationToken.None))!.SerialHex, Is.EqualTo("01"));
        }
        else
        {
            Assert.That(decided.State, Is.EqualTo(PendingRequestState.Rejected));
            Assert.That(await queueB.MarkIssuedAsync("r1", Issuer, "01", [9], CancellationToken.None), Is.False, "a rejected request is never issued");
        }
    }
}
