using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Server;

namespace AmiPki.Bench;

/// <summary>
/// Durable in-process issuance (meter-s1-signing) with the P-256 issuing key on a SoftHSM2 token, beside the same run with
/// the software key and beside SoftHSM2's raw C_Sign rate measured in this run (issue 3: end-to-end ≥ 50 % of raw C_Sign).
/// </summary>
public static class Pkcs11Benchmark
{
    private const string PinVariable = "AMIPKI_BENCH_PKCS11_PIN";

    public sealed record Result(string Key, int Callers, long Issued, double Seconds, double CpuSeconds)
    {
        public double PerSecond => Issued / Seconds;

        public double CoresUsed => CpuSeconds / Seconds;
    }

    public sealed record Figures(double RawSign1, double RawSignN, double ProviderSignN, int Threads, Result Pkcs11, Result Software);

    /// <summary>Runs the figures and prints them in the style of Program.cs; prints an install hint when softhsm2 is missing.</summary>
    public static async Task PrintAsync(TimeSpan duration)
    {
        Console.WriteLine();
        Console.WriteLine("Durable in-process issuance with the issuing key on a SoftHSM2 token (PKCS#11, P-256, meter-s1-signing):");
        using var token = Pkcs11BenchToken.TryCreate(out var missing);
        if (token is null)
        {
            Console.WriteLine($"  skipped: {missing} is missing; install the test peers with `sudo apt-get install softhsm2 opensc` (or `make peers`)");
            return;
        }
        var figures = await RunAsync(token, duration);
        var n = figures.Threads;
        Console.WriteLine($"  SoftHSM2 raw C_SignInit+C_Sign (CKM_ECDSA, P-256): {figures.RawSign1,9:N0}/s on 1 thread, {figures.RawSignN,9:N0}/s on {n} threads");
        Console.WriteLine($"  provider ISigningKey.Sign (SHA-256 + pool + C_Sign + DER): {figures.ProviderSignN,9:N0}/s on {n} threads " +
                          $"({figures.ProviderSignN / figures.RawSignN:P0} of raw)");
        foreach (var result in new[] { figures.Pkcs11, figures.Software })
        {
            Console.WriteLine($"  {result.Key,-8} key, {result.Callers} caller thread(s): {result.PerSecond,9:N0} certificates/s " +
                              $"({result.Issued:N0} in {result.Seconds:N1} s; {result.CoresUsed:N2} cores busy)");
        }
        Console.WriteLine($"  pkcs11 end-to-end / raw C_Sign: {figures.Pkcs11.PerSecond / figures.RawSign1:P0} of the 1-thread rate, " +
                          $"{figures.Pkcs11.PerSecond / figures.RawSignN:P0} of the {n}-thread rate; pkcs11 / software: {figures.Pkcs11.PerSecond / figures.Software.PerSecond:P0}");
        Console.WriteLine("  target (issue 3): end-to-end >= 50 % of SoftHSM2's raw C_Sign rate");
    }

    public static async Task<Figures> RunAsync(Pkcs11BenchToken token, TimeSpan duration)
    {
        var callers = Environment.ProcessorCount;
        var csrs = IssuanceBenchmark.MakeCsrs(4096);
        Environment.SetEnvironmentVariable(PinVariable, token.Pin);
        var pkcs11Options = Options("pkcs11");
        pkcs11Options.Pkcs11.ModulePath = Pkcs11BenchToken.ModulePath;
        pkcs11Options.Pkcs11.TokenLabel = token.Label;
        pkcs11Options.Pkcs11.PinSource = "env:" + PinVariable;
        var softwareOptions = Options("software");
        softwareOptions.KeyPassphrase = "bench-only-passphrase";
        try
        {
            double raw1, rawN, providerN;
            Result pkcs11;
            await using (var runtime = await AmiPkiRuntime.CreateOrOpenAsync(pkcs11Options, TimeProvider.System, CancellationToken.None))
            {
                await runtime.InitializeAsync("pkcs11", CancellationToken.None);
                var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
                await IssueForAsync("pkcs11", issuance, csrs, 1, 16, TimeSpan.FromSeconds(2));
                // Raw rates on the same token and key, measured while the provider holds the module, as production would.
                var rawDuration = TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds));
                raw1 = Pkcs11RawSigner.Measure(Pkcs11BenchToken.ModulePath, token.Label, token.Pin, "issuing-s1", 1, rawDuration);
                rawN = Pkcs11RawSigner.Measure(Pkcs11BenchToken.ModulePath, token.Label, token.Pin, "issuing-s1", callers, rawDuration);
                providerN = SignRate(runtime.Authorities!.Find("issuing-s1")!.Key, callers, rawDuration);
                pkcs11 = await IssueForAsync("pkcs11", issuance, csrs, callers, 128, duration);
            }
            Result software;
            await using (var runtime = await AmiPkiRuntime.CreateOrOpenAsync(softwareOptions, TimeProvider.System, CancellationToken.None))
            {
                await runtime.InitializeAsync("software", CancellationToken.None);
                var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
                await IssueForAsync("software", issuance, csrs, 1, 16, TimeSpan.FromSeconds(2));
                software = await IssueForAsync("software", issuance, csrs, callers, 128, duration);
            }
            return new Figures(raw1, rawN, providerN, callers, pkcs11, software);
        }
        finally
        {
            Directory.Delete(pkcs11Options.DataDirectory, recursive: true);
            Directory.Delete(softwareOptions.DataDirectory, recursive: true);
        }
    }

    /// <summary>The provider's own signing rate, as the pipeline calls it: a TBSCertificate-sized input, hashed then signed on the token.</summary>
    private static double SignRate(AmiPki.Core.Keys.ISigningKey key, int threads, TimeSpan duration)
    {
        long signatures = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(thread => new Thread(() =>
        {
            var data = new byte[400];
            long count = 0;
            while (stopwatch.Elapsed < duration)
            {
                key.Sign(data, HashAlgorithmName.SHA256);
                count++;
            }
            Interlocked.Add(ref signatures, count);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return signatures / stopwatch.Elapsed.TotalSeconds;
    }

    private static AmiPkiOptions Options(string name) => new()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), $"amipki-bench-{name}-" + Guid.NewGuid().ToString("N")[..8]),
        ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, "profiles"),
    };

    /// <summary>The loop of <see cref="IssuanceBenchmark"/>, labelled with the key provider.</summary>
    private static async Task<Result> IssueForAsync(string key, IssuanceService issuance, byte[][] csrs, int callers, int inFlight, TimeSpan duration)
    {
        var result = await IssuanceBenchmark.IssueForAsync(issuance, csrs, callers, inFlight, duration);
        return new Result(key, callers, result.Issued, result.Seconds, result.CpuSeconds);
    }
}
