using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Coap.Dtls;

namespace AmiPki.Bench.Fleet;

/// <summary>
/// The meter fleet run of `make bench` (issue 5): N meters with factory IDevIDs from a throwaway manufacturer, the
/// anchor and the devices registered, then each meter — its own DTLS session and UDP socket — does a full handshake
/// and a block-wise /sen, Concurrency at a time, against a real <c>amipki serve</c> in another process on this machine.
/// Client and server share the cores, as they would not in the field: the figure is a floor.
/// </summary>
public static class FleetBenchmark
{
    /// <summary>Runs the fleet and prints one summary line (the lead's entry from Program.cs).</summary>
    public static async Task<FleetResult> RunAndPrintAsync(int meters = 10_000, int concurrency = 256, TextWriter? output = null)
    {
        output ??= Console.Out;
        output.WriteLine($"Meter fleet over EST-coaps (DTLS 1.2 + CoAP, block-wise /sen at 64-byte blocks), {meters:N0} meters, concurrency {concurrency}:");
        var result = await RunAsync(new FleetOptions { Meters = meters, Concurrency = concurrency, Progress = output }, CancellationToken.None);
        output.WriteLine("  " + result.Describe());
        foreach (var sample in result.FailureSamples)
        {
            output.WriteLine("  failure: " + sample);
        }

        output.WriteLine("  target (issue 5): >= 1,000 meters/s at concurrency 256 on 2 cores, peak RSS < 500 MB, no failed enrollment");
        return result;
    }

    public static async Task<FleetResult> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        var progress = options.Progress ?? TextWriter.Null;
        var (amipkiDll, _) = AmiPkiServerProcess.Locate(options.AmiPkiDll);
        using var manufacturer = new FleetManufacturer("FleetMeters");
        // Enough uncounted meters that tiered JIT compilation has settled in both processes before the clock starts
        // (with 256, a tenth of the counted run's server CPU was still the JIT compiler).
        int warmUp = Math.Max(1, Math.Min(options.Meters / 10, Math.Max(options.Concurrency, 1_000)));
        var stopwatch = Stopwatch.StartNew();
        var meters = manufacturer.MakeMeters(warmUp + options.Meters);

        // Each meter's IDevID loaded as the meter keeps it (parsed once at boot, not per session).
        var identities = new DtlsClientIdentity[meters.Count];
        Parallel.For(0, meters.Count, i => identities[i] = new DtlsClientIdentity(DtlsCredentials.FromDer([meters[i].IDevId], meters[i].IDevIdKey)));
        progress.WriteLine($"  {meters.Count:N0} factory IDevIDs and CSRs made in {stopwatch.Elapsed.TotalSeconds:N1} s ({warmUp} for warm-up)");
        try
        {
            await using var server = await FleetServer.StartAsync(amipkiDll, manufacturer, meters, cancellationToken).ConfigureAwait(false);
            var endPoint = new IPEndPoint(IPAddress.Loopback, server.CoapsPort);
            var roots = ProvisionedRoots(server.RootPemPath);

            // Warm-up (JIT, pools, SQLite) on meters that are not counted.
            await EnrollAllAsync(endPoint, meters.Take(warmUp).ToList(), identities.AsMemory(0, warmUp), roots, options, cancellationToken).ConfigureAwait(false);
            var cpuBefore = server.CpuTime();
            var simulatorCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            stopwatch.Restart();
            var (latencies, failures) = await EnrollAllAsync(endPoint, meters.Skip(warmUp).ToList(), identities.AsMemory(warmUp), roots, options, cancellationToken)
                .ConfigureAwait(false);
            stopwatch.Stop();
            return Summarize(options, server, stopwatch.Elapsed, cpuBefore, simulatorCpuBefore, latencies, failures);
        }
        finally
        {
            foreach (var identity in identities)
            {
                identity?.Dispose();
            }
        }
    }

    private static FleetResult Summarize(FleetOptions options, FleetServer server, TimeSpan elapsed, TimeSpan cpuBefore, TimeSpan simulatorCpuBefore,
        TimeSpan[] latencies, IReadOnlyList<string> failures)
    {
        var serverCpu = (server.CpuTime() - cpuBefore).TotalSeconds;
        var simulatorCpu = (Process.GetCurrentProcess().TotalProcessorTime - simulatorCpuBefore).TotalSeconds;
        Array.Sort(latencies);
        return new FleetResult(options.Meters, options.Concurrency, latencies.Length, failures.Count, elapsed.TotalSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Length > 0 ? latencies[^1] : TimeSpan.Zero,
            server.PeakRss(), serverCpu, simulatorCpu, failures.Take(5).ToList());
    }

    private static async Task<(TimeSpan[] Latencies, IReadOnlyList<string> Failures)> EnrollAllAsync(IPEndPoint server,
        IReadOnlyList<FleetManufacturer.Meter> meters, ReadOnlyMemory<DtlsClientIdentity> identities, IReadOnlyList<byte[]> roots, FleetOptions options,
        CancellationToken cancellationToken)
    {
        var latencies = new TimeSpan[meters.Count];
        var succeeded = new bool[meters.Count];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int next = -1;

        // One compiled client configuration for the fleet; each meter brings only its own IDevID and key.
        using var context = new DtlsClientContext(new DtlsClientOptions
        {
            // A real meter verifies the server's chain to the root it was provisioned with (see FleetOptions.ValidateServerChain
            // for why the simulator does so only when asked); nothing more is asked of the chain.
            TrustedRoots = options.ValidateServerChain ? roots : null,
            ServerCertificateValidator = _ => true,

            // What an RFC 7925 §4.4.2 device supports, and all it offers: secp256r1 and ecdsa_secp256r1_sha256.
            Groups = "P-256",
            SignatureAlgorithms = "ECDSA+SHA256",
        });
        var workers = Enumerable.Range(0, Math.Min(options.Concurrency, meters.Count)).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < meters.Count)
            {
                var meter = meters[index];
                long started = Stopwatch.GetTimestamp();
                try
                {
                    var certsOnly = await MeterClient.EnrollAsync(server, context, identities.Span[index], meter.Csr, options.BlockSize, cancellationToken)
                        .ConfigureAwait(false);
                    if (certsOnly.Length == 0)
                    {
                        throw new InvalidOperationException("empty certificate answer");
                    }

                    latencies[index] = Stopwatch.GetElapsedTime(started);
                    succeeded[index] = true;
                }
#pragma warning disable CA1031 // A failed meter is counted and reported, not fatal to the run.
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    failures.Enqueue($"{meter.SystemTitle}: {exception.GetType().Name}: {exception.Message}");
                }
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return (latencies.Where((_, i) => succeeded[i]).ToArray(), failures.ToList());
    }

    /// <summary>The self-signed certificates of the file <c>amipki chain</c> wrote: what meters are provisioned with.</summary>
    private static List<byte[]> ProvisionedRoots(string pemPath)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(pemPath);
        var roots = certificates.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData)).Select(c => c.RawData).ToList();
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }

        return roots.Count > 0 ? roots : throw new InvalidOperationException($"no root certificate in {pemPath}");
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, double fraction) =>
        sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}
