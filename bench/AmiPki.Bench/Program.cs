using System.Globalization;
using AmiPki.Bench;

// `make bench`: whole-system figures, each printed beside this machine's own crypto ceiling measured in the same run.
// Usage: AmiPki.Bench [seconds per figure] [section ...]; sections: issuance postgres pkcs11 ocsp crl scep cmp est estcoaps tlsceiling (default: all).
var seconds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var s) ? s : 10;
var sections = args.Skip(args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out _) ? 1 : 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
bool Runs(string section) => sections.Count == 0 || sections.Contains(section);
var duration = TimeSpan.FromSeconds(seconds);
Console.WriteLine($"AmiPki benchmarks: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {seconds} s per figure, " +
                  $"load average at start {LoadAverage()}");
Console.WriteLine();

var ceiling1 = CryptoCeiling.Measure(1, TimeSpan.FromSeconds(3));
var ceiling2 = CryptoCeiling.Measure(Environment.ProcessorCount, TimeSpan.FromSeconds(3));
Console.WriteLine("Machine ceiling (ECDSA P-256, OpenSSL via .NET):");
Console.WriteLine($"  1 thread : sign {ceiling1.SignPerSecond,9:N0}/s   verify {ceiling1.VerifyPerSecond,9:N0}/s");
Console.WriteLine($"  {Environment.ProcessorCount} threads: sign {ceiling2.SignPerSecond,9:N0}/s   verify {ceiling2.VerifyPerSecond,9:N0}/s");
// Per certificate the pipeline verifies the CSR once and signs twice (the lint copy with a throwaway key, then the real one).
double Bound(CryptoCeiling.Rates rates) => 1 / (1 / rates.VerifyPerSecond + 2 / rates.SignPerSecond);
Console.WriteLine($"  crypto bound per certificate (1 verify + 2 signs): {Bound(ceiling1),9:N0}/s on 1 thread, {Bound(ceiling2),9:N0}/s on {Environment.ProcessorCount}");
Console.WriteLine();

// The handshake ceiling frames the EST full-handshake figure (TLS 1.3) and the meter fleet (DTLS 1.2 ~ TLS 1.2).
IReadOnlyList<TlsHandshakeCeiling.Result> handshakeCeiling = [];
if (Runs("est") || Runs("estcoaps") || sections.Contains("tlsceiling"))
{
    handshakeCeiling = await TlsHandshakeCeiling.MeasureAsync(TimeSpan.FromSeconds(5));
    TlsHandshakeCeiling.Print(handshakeCeiling);
    Console.WriteLine();
}

if (Runs("issuance"))
{
    Console.WriteLine("Durable in-process issuance (meter-s1-signing, P-256 software key, SQLite WAL synchronous=FULL, group commit):");
    var results = await IssuanceBenchmark.RunAsync([1, 2], duration, inFlightPerCaller: 128);
    foreach (var result in results)
    {
        var bound = result.Callers == 1 ? Bound(ceiling1) : Bound(ceiling2);
        Console.WriteLine($"  {result.Callers} caller thread(s), {result.InFlight,4} in flight: {result.PerSecond,9:N0} certificates/s " +
                          $"({result.Issued:N0} in {result.Seconds:N1} s; {result.CoresUsed:N2} cores busy; {result.PerSecond / bound:P0} of the crypto bound); peak RSS {result.PeakWorkingSet / 1048576:N0} MB");
    }
    Console.WriteLine("  target (issue 2): >= 8,000 durable certificates/s with 2 threads on this 2-core machine");
    Console.WriteLine();
}
if (Runs("postgres"))
{
    await PostgresIssuanceBenchmark.PrintAsync(duration);
    Console.WriteLine();
}
if (Runs("pkcs11"))
{
    await Pkcs11Benchmark.PrintAsync(duration);
    Console.WriteLine();
}
if (Runs("ocsp"))
{
    OcspBenchmark.Print(await OcspBenchmark.RunAsync(duration));
    Console.WriteLine();
}
if (Runs("crl"))
{
    CrlBenchmark.Print(await CrlBenchmark.RunAsync());
    Console.WriteLine();
}
if (Runs("scep"))
{
    await ScepBenchmark.PrintAsync(duration);
    Console.WriteLine();
}
if (Runs("cmp"))
{
    CmpBenchmark.Print(await CmpBenchmark.RunAsync(duration, 16));
    Console.WriteLine();
}
if (Runs("est"))
{
    Console.WriteLine("EST over HTTPS (RFC 7030) simpleenroll with mutual TLS, `amipki serve` in its own process, in-repo load generator (libssl, blocking, one thread per connection) in this one:");
    foreach (var r in await EstBenchmark.RunAsync(duration))
    {
        Console.WriteLine($"  {r.Mode,-20} c{r.Concurrency}: {r.PerSecond,9:N0} enrollments/s ({r.Enrolled:N0} ok, {r.Failed:N0} failed); " +
                          $"p50 {r.P50Milliseconds:N1} ms, p99 {r.P99Milliseconds:N1} ms; CPU per enrollment: server {r.ServerCpuMilliseconds:N2} ms, " +
                          $"load generator {r.ClientCpuMilliseconds:N2} ms (server alone on {Environment.ProcessorCount} cores: {r.ServerBoundPerSecond:N0}/s); " +
                          $"server peak RSS {r.ServerPeakRssBytes / 1048576:N0} MB");
        if (r.FirstFailure is not null)
        {
            Console.WriteLine($"    first failure: {r.FirstFailure}");
        }
    }
    Console.WriteLine("  target (issue 4): >= 3,000/s keep-alive, >= 1,000/s with a full handshake each, peak RSS < 400 MB");
    if (handshakeCeiling.FirstOrDefault(c => c.Protocol == "TLS 1.3") is { } tls13)
    {
        Console.WriteLine($"  this machine's TLS 1.3 mutual-handshake ceiling with the client on the same cores (OpenSSL alone, no HTTP, no issuance): {tls13.SharedBoundPerSecond:N0}/s");
    }
    Console.WriteLine();
}
if (Runs("estcoaps"))
{
    await AmiPki.Bench.Fleet.FleetBenchmark.RunAndPrintAsync(10_000, 256);
    if (handshakeCeiling.FirstOrDefault(c => c.Protocol == "TLS 1.2") is { } tls12)
    {
        // DTLS 1.2 runs TLS 1.2's ECDHE-ECDSA handshake (RFC 6347 §4.2) plus a cookie round trip: this bounds it from above.
        Console.WriteLine($"  this machine's (D)TLS 1.2 mutual-handshake ceiling with the simulator on the same cores (OpenSSL alone, TCP, no CoAP, no issuance): {tls12.SharedBoundPerSecond:N0}/s");
    }
}
Console.WriteLine($"load average at end {LoadAverage()}");

// Figures from a busy machine are not comparable: print what else was running.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
