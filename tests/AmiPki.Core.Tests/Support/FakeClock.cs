namespace AmiPki.Core.Tests.Support;

/// <summary>A clock tests move by hand (NodaTime's FakeClock, as a TimeProvider).</summary>
public sealed class FakeClock : TimeProvider
{
    private DateTimeOffset _now;

    public FakeClock(DateTimeOffset start)
    {
        _now = start;
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
