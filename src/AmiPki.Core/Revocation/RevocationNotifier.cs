using System.Collections.Immutable;

namespace AmiPki.Core.Revocation;

/// <summary>
/// The in-process fan-out of <see cref="RevocationChange"/>s: the revocation service and the storage watcher publish,
/// CRL publishing and the OCSP responder listen. One per process (a DI singleton).
/// </summary>
public sealed class RevocationNotifier
{
    private ImmutableArray<IRevocationListener> _listeners = [];

    /// <summary>Adds a listener; disposing the result removes it.</summary>
    public IDisposable Subscribe(IRevocationListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ImmutableInterlocked.Update(ref _listeners, static (list, added) => list.Add(added), listener);
        return new Subscription(this, listener);
    }

    /// <summary>Tells every listener. The revocation is already durable, so a failing listener must not fail the caller.</summary>
    public void Publish(RevocationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnRevocationChanged(change);
            }
#pragma warning disable CA1031 // A listener's bug must not turn a durable revocation into an error for the admin.
            catch (Exception)
#pragma warning restore CA1031
            {
                // Listeners also run on their timers (CRL regeneration, OCSP refresh), which repair a missed notification.
            }
        }
    }

    private sealed class Subscription(RevocationNotifier owner, IRevocationListener listener) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref owner._listeners, static (list, removed) => list.Remove(removed), listener);
    }
}
