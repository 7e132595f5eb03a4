using System.Diagnostics;
using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// Measures durable issuance writes alone: <paramref name="concurrency"/> callers each loop reserve → complete (the
/// pipeline's steps 6 and 8, with the audit entry) on a fresh database. For <c>make bench</c> and for judging the group
/// commit against the disk's fsync rate; not a test (timings depend on the machine and its load).
/// </summary>
public static class SqliteGroupCommitBenchmark
{
    public sealed record Result(int Concurrency, long Pairs, TimeSpan Elapsed, long Commits)
    {
        public double PairsPerSecond => Pairs / Elapsed.TotalSeconds;

        public override string ToString() =>
            $"{Pairs:N0} reserve+complete pairs in {Elapsed.TotalSeconds:F2} s with {Concurrency} callers: {PairsPerSecond:N0} pairs/s, "
            + $"{Commits:N0} commits ({(Commits == 0 ? 0 : 2.0 * Pairs / Commits):F0} writes per commit)";
    }

    /// <param name="databasePath">A file that must not exist yet (it and its -wal/-shm are deleted afterwards).</param>
    public static async Task<Result> RunAsync(string databasePath, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        if (File.Exists(databasePath))
        {
            throw new IOException($"{databasePath} exists; the benchmark needs a fresh database");
        }
        var der = RandomNumberGenerator.GetBytes(600);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(der));
        long pairs = 0;
        var storage = await SqliteStorage.OpenAsync(databasePath, "bench", TimeProvider.System, cancellationToken).ConfigureAwait(false);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                var serial = new byte[16];
                while (stopwatch.Elapsed < duration && !cancellationToken.IsCancellationRequested)
                {
                    RandomNumberGenerator.Fill(serial);
                    serial[0] &= 0x7F;
                    var serialHex = Convert.ToHexStringLower(serial);
                    var now = DateTimeOffset.UtcNow;
                    // A meter of its own per certificate, as in a real roll-out: the system title and subject indexes
                    // then take random keys too, the costly case for a B-tree.
                    var systemTitle = serialHex[16..];
                    var intent = new IssuanceIntent("bench-ca", serialHex, "meter-suite1-sign", "CN=" + systemTitle, now,
                        now.AddYears(10), "bench", "bench", now, SystemTitle: systemTitle, Dcu: "dcu-1", ManufacturerLot: "lot-1");
                    if (!await storage.Issuance.TryReserveAsync(intent, cancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }
                    await storage.Issuance.CompleteAsync("bench-ca", serialHex, der, sha256,
                        new AuditEvent(now, "issuance", "bench", "success", $"serial={serialHex}"), cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref pairs);
                }
            }, cancellationToken)).ToArray();
            await Task.WhenAll(workers).ConfigureAwait(false);
            stopwatch.Stop();
            return new Result(concurrency, pairs, stopwatch.Elapsed, storage.WriterCommits);
        }
        finally
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(databasePath + suffix);
            }
        }
    }
}
