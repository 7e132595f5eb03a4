namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// A clock tests move by hand (Microsoft.Extensions.TimeProvider.Testing is not served by the registry here). Only the
/// time is fake: timers created through it still wait real time, so tests drive due work by restarting or calling it.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public ManualClock(DateTimeOffset start) => _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
