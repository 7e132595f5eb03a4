using System.Security.Cryptography;

namespace AmiPki.Core.Operations;

/// <summary>The keys and certificates of an operational identity, decrypted: what a component turns into its own form.</summary>
public sealed record OperationalKeys(byte[] CertificateDer, AsymmetricAlgorithm Key, byte[]? PreviousCertificateDer, AsymmetricAlgorithm? PreviousKey);

/// <summary>
/// What a component's issuing step produced: a key and its certificate to store, or (when it cannot issue one, e.g. no
/// profile) a fallback held in this process only, such as the CA key answering itself.
/// </summary>
public sealed record OperationalIssue<T>(T? Fallback, AsymmetricAlgorithm? Key, byte[]? CertificateDer, DateTimeOffset NotAfter)
    where T : class
{
    public static OperationalIssue<T> Issued(AsymmetricAlgorithm key, byte[] certificateDer, DateTimeOffset notAfter) => new(null, key, certificateDer, notAfter);

    public static OperationalIssue<T> InMemory(T fallback) => new(fallback, null, null, default);
}

/// <summary>
/// Keeps one operational identity (the CMP responder, the SCEP RA, one OCSP responder) in storage and a decoded copy in
/// memory. The first use loads it; only when none is stored (or the stored one cannot serve: expired, another issuer,
/// undecryptable) is one issued and stored by compare-and-set, and a node that loses that race adopts the winner's.
/// Renewal (<see cref="RenewAsync"/>, run by the <c>operational-certificates</c> job) replaces it the same way, keeping
/// the replaced key and certificate in the record as <see cref="OperationalIdentity.PreviousEncryptedKey"/>. Every
/// <see cref="RefreshInterval"/> the stored version is re-read, so nodes that did not renew pick up the new identity.
/// Without a store or a key passphrase the identity lives in this process only, as before storage kept it.
/// </summary>
public sealed class OperationalIdentityKeeper<T> : IDisposable where T : class
{
    private readonly IOperationalIdentityStore? _store;
    private readonly OperationalKeyProtector? _protector;
    private readonly TimeProvider _time;
    private readonly Func<OperationalKeys, T?> _decode;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Held? _held;

    /// <param name="decode">Turns stored keys into the component's identity; null when they cannot serve (e.g. another issuer).</param>
    public OperationalIdentityKeeper(string name, IOperationalIdentityStore? store, OperationalKeyProtector? protector, TimeProvider time,
        Func<OperationalKeys, T?> decode, TimeSpan? refreshInterval = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _store = store;
        _protector = protector;
        _time = time;
        _decode = decode;
        RefreshInterval = refreshInterval ?? TimeSpan.FromSeconds(30);
    }

    public string Name { get; }

    /// <summary>True when the identity is kept in storage (a store and the key passphrase are configured).</summary>
    public bool IsDurable => _store is not null && _protector is not null;

    /// <summary>How long a node serves its cached copy before re-reading the stored version.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>The identity in memory, if any (no storage access).</summary>
    public T? Current => _held?.Value;

    /// <summary>The stored version the identity in memory came from; 0 when it is not a stored one.</summary>
    public long Version => _held?.Version ?? 0;

    /// <summary>
    /// The identity: the cached copy while it is usable and was checked within <see cref="RefreshInterval"/>; else the
    /// stored one; else a newly issued one, stored by compare-and-set (losing the race adopts the winner's).
    /// </summary>
    public async Task<T> GetAsync(Func<T, bool> usable, Func<CancellationToken, Task<OperationalIssue<T>>> issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usable);
        ArgumentNullException.ThrowIfNull(issue);
        if (_held is { } held && usable(held.Value) && (!IsDurable || _time.GetUtcNow() - held.CheckedAt < RefreshInterval))
        {
            return held.Value;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_held is { } again && usable(again.Value) && (!IsDurable || _time.GetUtcNow() - again.CheckedAt < RefreshInterval))
            {
                return again.Value;
            }
            if (!IsDurable)
            {
                return Keep(await issue(cancellationToken), version: 0).Value;
            }
            OperationalIdentity? stored;
            try
            {
                stored = await _store!.FindAsync(Name, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && _held is { } cached && usable(cached.Value))
            {
                // Storage unreachable for the periodic re-read: keep serving the cached identity, and try again later.
                return Touch(cached).Value;
            }
            if (Adopt(stored) is { } adopted && usable(adopted))
            {
                return adopted;
            }
            if (stored is null && _held is { } inMemory && usable(inMemory.Value))
            {
                return Touch(inMemory).Value; // A fallback (nothing stored, e.g. the CA key answers): keep it.
            }
            return await StoreAsync(await issue(cancellationToken), stored, keepPrevious: false, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Re-reads the stored identity and, if it is <paramref name="due"/>, issues and stores its replacement (the replaced one
    /// kept as the previous). Nothing happens before first use (nothing stored). True if this call replaced it; false if
    /// it was not due, or another node replaced it first (then this node adopts that one).
    /// </summary>
    public async Task<bool> RenewAsync(Func<T, bool> due, Func<CancellationToken, Task<OperationalIssue<T>>> issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(due);
        ArgumentNullException.ThrowIfNull(issue);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsDurable)
            {
                if (_held is not { } held || !due(held.Value))
                {
                    return false;
                }
                Keep(await issue(cancellationToken), version: 0);
                return true;
            }
            var stored = await _store!.FindAsync(Name, cancellationToken);
            if (stored is null)
            {
                return false; // Not used yet: the first request issues it.
            }
            var current = Adopt(stored);
            if (current is not null && !due(current))
            {
                return false;
            }
            var issued = await issue(cancellationToken);
            if (issued.Key is null)
            {
                return false; // Cannot issue now (e.g. the profile is gone): keep serving the stored one.
            }
            var before = stored.Version;
            await StoreAsync(issued, stored, keepPrevious: current is not null, cancellationToken);
            return _held?.Version == before + 1 && ReferenceEquals(_held.Source, issued);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-reads the stored version now (for a renewal check on a node that did not renew); true if the identity changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        if (!IsDurable)
        {
            return false;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var before = _held;
            var stored = await _store!.FindAsync(Name, cancellationToken);
            Adopt(stored);
            return !ReferenceEquals(before?.Value, _held?.Value);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> StoreAsync(OperationalIssue<T> issued, OperationalIdentity? stored, bool keepPrevious, CancellationToken cancellationToken)
    {
        if (issued.Key is null)
        {
            return Keep(issued, version: 0).Value;
        }
        var now = _time.GetUtcNow();
        var record = new OperationalIdentity(Name, _protector!.Protect(issued.Key), issued.CertificateDer!, issued.NotAfter, now, (stored?.Version ?? 0) + 1)
        {
            PreviousEncryptedKey = keepPrevious ? stored?.EncryptedKey : null,
            PreviousCertificateDer = keepPrevious ? stored?.CertificateDer : null,
            PreviousNotAfter = keepPrevious ? stored?.NotAfter : null,
        };
        if (await _store!.TryPutAsync(record, stored?.Version ?? 0, cancellationToken))
        {
            AsymmetricAlgorithm? previousKey = null;
            if (record.PreviousEncryptedKey is { } previousEncrypted && record.PreviousCertificateDer is { } previousDer)
            {
                previousKey = TryUnprotect(previousEncrypted, previousDer);
            }
            var value = _decode(new OperationalKeys(record.CertificateDer, issued.Key, previousKey is null ? null : record.PreviousCertificateDer, previousKey))
                ?? throw new InvalidOperationException($"the newly issued {Name} identity cannot serve");
            _held = new Held(value, record.Version, now, issued);
            return value;
        }
        // Another node stored one first: adopt it; ours (issued and recorded, never used) is dropped.
        var winner = await _store.FindAsync(Name, cancellationToken);
        if (Adopt(winner) is { } adopted)
        {
            issued.Key.Dispose();
            return adopted;
        }
        throw new InvalidOperationException($"another node stored the {Name} identity first, and it cannot be read here (another key passphrase?)");
    }

    /// <summary>Decodes the stored identity unless it is the one in memory already; returns what is in memory afterwards (null if unreadable).</summary>
    private T? Adopt(OperationalIdentity? stored)
    {
        var now = _time.GetUtcNow();
        if (stored is null)
        {
            return _held is { Version: 0 } ? Touch(_held).Value : null;
        }
        if (_held is { } held && held.Version == stored.Version)
        {
            return Touch(held).Value;
        }
        var key = TryUnprotect(stored.EncryptedKey, stored.CertificateDer);
        if (key is null)
        {
            return null;
        }
        AsymmetricAlgorithm? previousKey = stored.PreviousEncryptedKey is { } previousEncrypted && stored.PreviousCertificateDer is { } previousDer
            ? TryUnprotect(previousEncrypted, previousDer)
            : null;
        var value = _decode(new OperationalKeys(stored.CertificateDer, key, previousKey is null ? null : stored.PreviousCertificateDer, previousKey));
        if (value is null)
        {
            key.Dispose();
            previousKey?.Dispose();
            return null;
        }
        _held = new Held(value, stored.Version, now, null);
        return value;
    }

    private AsymmetricAlgorithm? TryUnprotect(byte[] encryptedKey, byte[] certificateDer)
    {
        try
        {
            return _protector!.Unprotect(encryptedKey, certificateDer);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private Held Keep(OperationalIssue<T> issued, long version)
    {
        var value = issued.Fallback ?? _decode(new OperationalKeys(issued.CertificateDer!, issued.Key!, null, null))
            ?? throw new InvalidOperationException($"the newly issued {Name} identity cannot serve");
        var held = new Held(value, version, _time.GetUtcNow(), issued);
        _held = held;
        return held;
    }

    private Held Touch(Held held)
    {
        var touched = held with { CheckedAt = _time.GetUtcNow() };
        _held = touched;
        return touched;
    }

    public void Dispose() => _gate.Dispose();

    private sealed record Held(T Value, long Version, DateTimeOffset CheckedAt, object? Source);
}
