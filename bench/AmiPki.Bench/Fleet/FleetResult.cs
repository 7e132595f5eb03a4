using System.Globalization;

namespace AmiPki.Bench.Fleet;

/// <summary>What a fleet run measured: throughput, per-meter latency (handshake + block-wise /sen), server memory.</summary>
public sealed record FleetResult(
    int Meters,
    int Concurrency,
    int Enrolled,
    int Failed,
    double Seconds,
    TimeSpan P50,
    TimeSpan P99,
    TimeSpan Max,
    long ServerPeakRss,
    double ServerCpuSeconds,
    IReadOnlyList<string> FailureSamples)
{
    public double MetersPerSecond => Enrolled / Seconds;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Enrolled:N0}/{Meters:N0} meters enrolled in {Seconds:N1} s at concurrency {Concurrency}: {MetersPerSecond:N0} meters/s; " +
        $"per meter (DTLS handshake + block-wise /sen) p50 {P50.TotalMilliseconds:N0} ms, p99 {P99.TotalMilliseconds:N0} ms, max {Max.TotalMilliseconds:N0} ms; " +
        $"server peak RSS {ServerPeakRss / 1048576.0:N0} MB, server CPU {ServerCpuSeconds:N1} s; failed {Failed}");
}
