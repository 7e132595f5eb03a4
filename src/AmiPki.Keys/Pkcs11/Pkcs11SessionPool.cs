using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11.Interop;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// Logged-in sessions on one token, lent out one caller at a time, and the reconnect logic.
/// </summary>
/// <remarks>
/// A session runs one cryptographic operation at a time (PKCS#11 v2.40 §5.6; a second C_SignInit gets
/// CKR_OPERATION_ACTIVE), so signing concurrency is the number of sessions. Up to <c>size</c> are
/// opened on demand and kept. The user login belongs to the application, not to a session (§5.6), so
/// logging in once on the first session makes every later session usable; closing the last session
/// logs out, which is why the pool never calls C_Logout itself.
/// When a call reports that the token, the session or the whole module state is gone, the pool drops
/// its sessions, re-initialises the module on the next use (so it rescans its slots and sees a token
/// that came back), finds the token by label again, logs in again, and retries the caller's operation
/// once.
/// </remarks>
internal sealed class Pkcs11SessionPool : IDisposable
{
    private readonly Pkcs11PinSource _pin;
    private readonly SemaphoreSlim _capacity;
    private readonly ConcurrentStack<Pkcs11Session> _idle = new();
    private readonly Lock _gate = new();

    // Held shared while a lent session is in use, exclusively while reconnecting: C_Finalize must not
    // pull sessions from under running calls, whose stale handles could then name new sessions.
    private readonly ReaderWriterLockSlim _inFlight = new(LockRecursionPolicy.NoRecursion);
    private CULong _slot;
    private volatile bool _connected;
    private bool _needsReinitialize;
    private int _generation;
    private int _moduleEpoch;
    private int _openSessions;
    private volatile bool _disposed;

    public Pkcs11SessionPool(Pkcs11Module module, string tokenLabel, Pkcs11PinSource pin, int size)
    {
        Module = module;
        TokenLabel = tokenLabel;
        _pin = pin;
        Size = size;
        _capacity = new SemaphoreSlim(size, size);
        _moduleEpoch = module.Epoch;
    }

    public Pkcs11Module Module { get; }

    public string TokenLabel { get; }

    public int Size { get; }

    /// <summary>Bumped at every (re)connect; object handles cached from an older generation must be looked up again.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Sessions currently open (idle or lent out) in the current generation.</summary>
    public int OpenSessionCount => Volatile.Read(ref _openSessions);

    /// <summary>
    /// Runs <paramref name="body"/> on a session of its own. Cryptoki failures come out as
    /// <see cref="KeyProviderException"/> naming the token and the CKR_ code. When
    /// <paramref name="retryAfterReconnect"/> is set, an operation that failed because the connection was
    /// lost is retried once on a fresh connection; only idempotent operations (signing, lookups) may ask.
    /// </summary>
    public T Execute<T>(Func<Pkcs11Session, T> body, bool retryAfterReconnect)
    {
        for (var attempt = 0; ; attempt++)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _capacity.Wait();
            try
            {
                if (!_connected)
                {
                    Connect();
                }
                _inFlight.EnterReadLock();
                Pkcs11Session? session = null;
                try
                {
                    session = Take();
                    return body(session.Value);
                }
                catch (Pkcs11CallException e) when (IsConnectionLost(e.ReturnValue))
                {
                    MarkLost(session);
                    session = null;
                    if (retryAfterReconnect && attempt == 0)
                    {
                        continue;
                    }
                    throw Wrap(e);
                }
                catch (Pkcs11CallException e)
                {
                    throw Wrap(e);
                }
                finally
                {
                    if (session is { } lent)
                    {
                        Return(lent);
                    }
                    _inFlight.ExitReadLock();
                }
            }
            catch (Pkcs11CallException e)
            {
                // From Connect: C_Initialize, C_GetSlotList, C_OpenSession or C_Login.
                throw Wrap(e);
            }
            finally
            {
                _capacity.Release();
            }
        }
    }

    /// <summary>The error form every PKCS#11 failure takes: <c>PKCS#11 token 'x': C_Login failed: CKR_PIN_INCORRECT</c>.</summary>
    public KeyProviderException Wrap(Pkcs11CallException e) => new($"PKCS#11 token '{TokenLabel}': {e.Message}", e);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            while (_idle.TryPop(out var session))
            {
                Discard(session);
            }
            _connected = false;
        }
        Module.Release();
        _inFlight.Dispose();
        _capacity.Dispose();
    }

    /// <summary>
    /// Codes after which the session, the login or the module state cannot be trusted (v2.40 §5.1:
    /// CKR_GENERAL_ERROR is "unrecoverable", CKR_DEVICE_REMOVED / CKR_TOKEN_NOT_PRESENT mean the token
    /// left, CKR_SESSION_* that the session is gone, CKR_CRYPTOKI_NOT_INITIALIZED that C_Finalize ran).
    /// </summary>
    internal static bool IsConnectionLost(CkRv rv) => rv is
        CkRv.CKR_GENERAL_ERROR or
        CkRv.CKR_DEVICE_ERROR or
        CkRv.CKR_DEVICE_REMOVED or
        CkRv.CKR_TOKEN_NOT_PRESENT or
        CkRv.CKR_TOKEN_NOT_RECOGNIZED or
        CkRv.CKR_SESSION_HANDLE_INVALID or
        CkRv.CKR_SESSION_CLOSED or
        CkRv.CKR_USER_NOT_LOGGED_IN or
        CkRv.CKR_CRYPTOKI_NOT_INITIALIZED;

    private Pkcs11Session Take()
    {
        if (!_connected)
        {
            Connect();
        }
        var generation = Generation;
        while (_idle.TryPop(out var session))
        {
            if (session.Generation == generation)
            {
                return session;
            }
            Discard(session);
        }
        lock (_gate)
        {
            if (!_connected)
            {
                // Lost between Connect and here; the caller's catch treats it like a lost session.
                throw new Pkcs11CallException("C_OpenSession", CkRv.CKR_SESSION_CLOSED);
            }
            var handle = Module.OpenSession(_slot);
            _openSessions++;
            return new Pkcs11Session(handle, _generation, _moduleEpoch);
        }
    }

    private void Return(Pkcs11Session session)
    {
        if (!_disposed && _connected && session.Generation == Generation)
        {
            _idle.Push(session);
            return;
        }
        Discard(session);
    }

    /// <summary>Closes a session only if it still belongs to the live module epoch; otherwise its handle may name someone else's session.</summary>
    private void Discard(Pkcs11Session session)
    {
        if (session.ModuleEpoch == Module.Epoch)
        {
            _ = Module.CloseSession(session.Handle);
        }
    }

    private void MarkLost(Pkcs11Session? session)
    {
        lock (_gate)
        {
            // Another caller may already have reconnected since this session was lent.
            if (session is { } s && s.Generation != _generation)
            {
                return;
            }
            _connected = false;
            _needsReinitialize = true;
            _idle.Clear();
            _openSessions = 0;
        }
    }

    private void Connect()
    {
        lock (_gate)
        {
            if (_connected)
            {
                return;
            }
            if (!_needsReinitialize)
            {
                // A first connect calls no C_Finalize, so calls in flight (there are none of this
                // generation yet) need no protection; taking the write lock here would also make
                // every caller racing the first connect wait for all others' operations to end.
                ConnectExclusive();
                return;
            }
        }
        _inFlight.EnterWriteLock();
        try
        {
            ConnectExclusive();
        }
        finally
        {
            _inFlight.ExitWriteLock();
        }
    }

    private void ConnectExclusive()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connected)
            {
                return;
            }
            try
            {
                if (_needsReinitialize)
                {
                    Module.Reinitialize(_moduleEpoch);
                    // Remember the epoch now: if the token is still missing, the next attempt must
                    // re-initialise again rather than believe someone else already did.
                    _moduleEpoch = Module.Epoch;
                }
                var epoch = Module.Epoch;
                var slot = FindSlot();
                var first = Module.OpenSession(slot);
                try
                {
                    var pin = _pin.Read();
                    try
                    {
                        Module.Login(first, pin);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(pin);
                    }
                }
                catch
                {
                    _ = Module.CloseSession(first);
                    throw;
                }
                _slot = slot;
                _moduleEpoch = epoch;
                _generation++;
                _openSessions = 1;
                _idle.Push(new Pkcs11Session(first, _generation, epoch));
                _needsReinitialize = false;
                _connected = true;
            }
            catch (Pkcs11CallException e) when (IsConnectionLost(e.ReturnValue))
            {
                _needsReinitialize = true;
                throw;
            }
            catch (KeyProviderException)
            {
                // Token not found: a fresh C_Initialize is what makes most modules rescan their slots.
                _needsReinitialize = true;
                throw;
            }
        }
    }

    /// <summary>The slot whose token carries our label (v2.40 §5.5 C_GetSlotList with tokenPresent, C_GetTokenInfo).</summary>
    private CULong FindSlot()
    {
        var present = new List<string>();
        var matches = new List<(CULong Slot, CkTokenInfo Info)>();
        foreach (var slot in Module.GetSlotList(tokenPresent: true))
        {
            CkTokenInfo info;
            try
            {
                info = Module.GetTokenInfo(slot);
            }
            catch (Pkcs11CallException e) when (e.ReturnValue is CkRv.CKR_TOKEN_NOT_PRESENT or CkRv.CKR_DEVICE_REMOVED or CkRv.CKR_TOKEN_NOT_RECOGNIZED)
            {
                // Removed between the two calls; it is simply not one of ours.
                continue;
            }
            var label = info.LabelText;
            present.Add(label);
            if (string.Equals(label, TokenLabel, StringComparison.Ordinal))
            {
                matches.Add((slot, info));
            }
        }
        if (matches.Count == 0)
        {
            var others = present.Count == 0 ? "no tokens are present" : "tokens present: " + string.Join(", ", present.Select(l => $"'{l}'"));
            throw new KeyProviderException(
                $"PKCS#11 token '{TokenLabel}': not found in module '{Module.ModulePath}': {CkRv.CKR_TOKEN_NOT_PRESENT} ({others})");
        }
        if (matches.Count > 1)
        {
            throw new KeyProviderException(
                $"PKCS#11 token '{TokenLabel}': {matches.Count} tokens in module '{Module.ModulePath}' carry this label; labels must be unique");
        }
        if ((matches[0].Info.Flags.Value & (nuint)CkFlags.CKF_USER_PIN_INITIALIZED) == 0)
        {
            throw new KeyProviderException($"PKCS#11 token '{TokenLabel}': the user PIN is not initialised: {CkRv.CKR_USER_PIN_NOT_INITIALIZED}");
        }
        return matches[0].Slot;
    }
}
