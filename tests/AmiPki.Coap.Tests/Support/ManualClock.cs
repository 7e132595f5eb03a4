namespace AmiPki.Coap.Tests.Support;

/// <summary>
/// A clock that only moves when told to. Timers (Task.Delay with this provider) still run on real time:
/// only "now" is controlled, which is what expiry logic reads.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now;

    public ManualClock(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
