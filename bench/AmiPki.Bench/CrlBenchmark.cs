using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AmiPki.Core.Crl;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Server;
using Microsoft.Data.Sqlite;

namespace AmiPki.Bench;

/// <summary>
/// Generation of one complete CRL with a million revoked entries (issue 8 target: under 10 s and 1 GB): first the
/// encoder alone over synthetic entries, then end to end from SQLite (entries streamed from the real store, CRL number
/// allocated durably, signed with the issuing CA's software key). Peak memory is sampled while each build runs.
/// </summary>
public static class CrlBenchmark
{
    public sealed record Result(string Mode, int Entries, double Seconds, double CpuSeconds, long CrlBytes, long PeakManagedBytes, long PeakWorkingSetBytes);

    public static async Task<IReadOnlyList<Result>> RunAsync(int entries = 1_000_000)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-crlbench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new AmiPkiOptions
        {
            DataDirectory = data,
            KeyPassphrase = "bench-only-passphrase",
            ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, "profiles"),
        };
        try
        {
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            var issuer = runtime.Authorities!.Find("issuing-s1")!;
            var now = DateTimeOffset.UtcNow;
            var results = new List<Result>();

            var synthetic = await MeasureAsync("encoder only, synthetic entries", entries, async () =>
                (await CrlEncoder.EncodeAsync(issuer, new CrlParameters(1, now, now.AddDays(1), issuer.Record.CrlUrl, null), Synthetic(entries, now),
                    CancellationToken.None)).Der.LongLength);
            results.Add(synthetic);

            await FillAsync(runtime.Layout.Database, issuer.Name, entries, now);
            var generator = new CrlGenerator(runtime.Storage.Revocations, TimeProvider.System);
            results.Add(await MeasureAsync("end to end from SQLite", entries, async () =>
                (await generator.BuildFullAsync(issuer, TimeSpan.FromDays(1), withFreshest: true, CancellationToken.None)).Der.LongLength));
            return results;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    public static void Print(IReadOnlyList<Result> results)
    {
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {result.Mode,-34} {result.Entries,9:N0} entries in {result.Seconds,6:N2} s ({result.CpuSeconds,5:N2} s CPU), {result.CrlBytes / 1048576.0,6:N1} MB CRL, " +
                $"peak managed heap {result.PeakManagedBytes / 1048576,5:N0} MB, peak RSS {result.PeakWorkingSetBytes / 1048576,5:N0} MB"));
        }
        Console.WriteLine("  target (issue 8): 1,000,000 entries in < 10 s and < 1 GB");
    }

    private static async Task<Result> MeasureAsync(string mode, int entries, Func<Task<long>> build)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var peakManaged = GC.GetTotalMemory(false);
        var peakRss = Environment.WorkingSet;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                peakRss = Math.Max(peakRss, Environment.WorkingSet);
                await Task.Delay(10);
            }
        });
        // CPU time beside wall time: on a shared, busy machine the wall clock measures the neighbours too.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var bytes = await build();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        await stop.CancelAsync();
        await sampler;
        return new Result(mode, entries, seconds, cpu, bytes, peakManaged, peakRss);
    }

    private static async IAsyncEnumerable<RevokedEntry> Synthetic(int count, DateTimeOffset now)
    {
        // A random prefix and a counter: drawing 16 CSPRNG bytes per entry would cost more than encoding it.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)(serial[0] & 0x7F | 0x01);
        for (var i = 0; i < count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(serial.AsSpan(12), i);
            yield return new RevokedEntry(Convert.ToHexString(serial), new RevocationInfo((RevocationReason)(i % 3 == 0 ? 1 : 5), now.AddSeconds(-i), null));
            if (i % 100_000 == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Writes the certificates and their revocations straight into the schema (issuing them one by one would take minutes).</summary>
    private static async Task FillAsync(string database, string issuer, int count, DateTimeOffset now)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var certificate = connection.CreateCommand();
        certificate.Transaction = transaction;
        certificate.CommandText = """
            INSERT INTO certificates (issuer, serial_hex, state, profile, subject, not_before, not_after, der, sha256_hex, requester, protocol, created_at)
            VALUES ($issuer, $serial, 'issued', 'meter-s1-signing', $subject, $nb, $na, NULL, NULL, 'bench', 'cli', $nb);
            INSERT INTO revocations (issuer, serial_hex, reason, revoked_at, invalidity_date, released_at)
            VALUES ($issuer, $serial, $reason, $at, NULL, NULL);
            """;
        var issuerParameter = certificate.Parameters.Add("$issuer", SqliteType.Text);
        var serialParameter = certificate.Parameters.Add("$serial", SqliteType.Text);
        var subjectParameter = certificate.Parameters.Add("$subject", SqliteType.Text);
        var notBefore = certificate.Parameters.Add("$nb", SqliteType.Text);
        var notAfter = certificate.Parameters.Add("$na", SqliteType.Text);
        var reason = certificate.Parameters.Add("$reason", SqliteType.Integer);
        var at = certificate.Parameters.Add("$at", SqliteType.Text);
        issuerParameter.Value = issuer;
        notBefore.Value = Text(now.AddDays(-30));
        notAfter.Value = Text(now.AddYears(10));
        var serial = new byte[16];
        for (var i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(serial);
            serial[0] = (byte)(serial[0] & 0x7F | 0x01);
            serialParameter.Value = Convert.ToHexString(serial);
            subjectParameter.Value = string.Create(CultureInfo.InvariantCulture, $"CN=4D4D4D{i:X10}");
            reason.Value = i % 3 == 0 ? 1 : 5;
            at.Value = Text(now.AddSeconds(-count + i));
            await certificate.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
