namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>A clock tests move by hand (timers are not driven by it; tests call the due work directly).</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now;

    public ManualClock(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
