using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Server;

namespace AmiPki.Bench;

/// <summary>
/// Durable in-process issuance through the whole pipeline (CSR verify, policy, build, lint, intent record, sign,
/// certificate record + audit entry in SQLite with synchronous=FULL), P-256 software key, meter Suite 1 profile.
/// </summary>
public static class IssuanceBenchmark
{
    public sealed record Result(int Callers, int InFlight, long Issued, double Seconds, double CpuSeconds, long PeakWorkingSet)
    {
        public double PerSecond => Issued / Seconds;

        public double CoresUsed => CpuSeconds / Seconds;
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(IReadOnlyList<int> callerCounts, TimeSpan duration, int inFlightPerCaller)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new AmiPkiOptions { DataDirectory = data, KeyPassphrase = "bench-only-passphrase",
            ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, "profiles") };
        try
        {
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            var csrs = MakeCsrs(4096);
            // Warm up: JIT, templates, connection pools.
            await IssueForAsync(issuance, csrs, 1, 16, TimeSpan.FromSeconds(2));
            var results = new List<Result>();
            foreach (var callers in callerCounts)
            {
                results.Add(await IssueForAsync(issuance, csrs, callers, inFlightPerCaller, duration));
            }
            return results;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Each of <paramref name="callers"/> keeps <paramref name="inFlight"/> issuances going until time is up.</summary>
    internal static async Task<Result> IssueForAsync(IssuanceService issuance, byte[][] csrs, int callers, int inFlight, TimeSpan duration)
    {
        long issued = 0;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var requester = Requester.Administrator("bench");
        var workers = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var next = caller * 997;
            var pending = new List<Task>(inFlight);
            while (stopwatch.Elapsed < duration)
            {
                while (pending.Count < inFlight)
                {
                    var csr = csrs[next++ % csrs.Length];
                    pending.Add(issuance.IssueAsync(new EnrollmentRequest(csr, "meter-s1-signing", requester, EnrollmentProtocol.Cli), CancellationToken.None));
                }
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                await done;
                Interlocked.Increment(ref issued);
            }
            await Task.WhenAll(pending);
            Interlocked.Add(ref issued, pending.Count);
        })).ToList();
        await Task.WhenAll(workers);
        stopwatch.Stop();
        process.Refresh();
        return new Result(callers, inFlight * callers, issued, stopwatch.Elapsed.TotalSeconds,
            (process.TotalProcessorTime - cpuBefore).TotalSeconds, process.PeakWorkingSet64);
    }

    /// <summary>Meter CSRs with distinct keys and system titles, made once before timing.</summary>
    internal static byte[][] MakeCsrs(int count) => Enumerable.Range(0, count).Select(i =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest($"CN=4D4D4D{i:X10}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }).ToArray();
}
