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
    double SimulatorCpuSeconds,
    IReadOnlyList<string> FailureSamples)
{
    public double MetersPerSecond => Enrolled / Seconds;

    /// <summary>
    /// What the meters cost in CPU, server and simulator together, turned into the rate this machine's cores would
    /// reach if nothing else ran on them (on a shared machine the measured rate is lower by what others take).
    /// </summary>
    public double CpuBoundMetersPerSecond => Enrolled == 0 ? 0 : Environment.ProcessorCount / ((ServerCpuSeconds + SimulatorCpuSeconds) / Enrolled);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Enrolled:N0}/{Meters:N0} meters enrolled in {Seconds:N1} s at concurrency {Concurrency}: {MetersPerSecond:N0} meters/s; " +
        $"per meter (DTLS handshake + block-wise /sen) p50 {P50.TotalMilliseconds:N0} ms, p99 {P99.TotalMilliseconds:N0} ms, max {Max.TotalMilliseconds:N0} ms; " +
        $"server peak RSS {ServerPeakRss / 1048576.0:N0} MB; failed {Failed}\n" +
        $"  CPU per meter: server {ServerCpuSeconds * 1000 / Math.Max(1, Enrolled):N2} ms, simulator {SimulatorCpuSeconds * 1000 / Math.Max(1, Enrolled):N2} ms " +
        $"=> {CpuBoundMetersPerSecond:N0} meters/s if both had this machine's {Environment.ProcessorCount} cores to themselves");
}
