using System.Runtime.InteropServices;
using AmiPki.Core.Keys;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// One loaded PKCS#11 module (a shared library such as libsofthsm2.so) and thin, checked wrappers over
/// the Cryptoki calls AmiPki makes. Every wrapper throws <see cref="Pkcs11CallException"/> on a CK_RV
/// other than CKR_OK, except where a code is documented as harmless.
/// </summary>
/// <remarks>
/// Cryptoki state is per process, not per caller: a second C_Initialize fails with
/// CKR_CRYPTOKI_ALREADY_INITIALIZED and one C_Finalize ends every session of the process (v2.40 §5.4).
/// So one instance exists per module path, shared by every provider, and reference counted: the first
/// <see cref="Acquire"/> initialises, the last <see cref="Release"/> finalises. The library itself stays
/// loaded for the life of the process: modules built on OpenSSL register exit handlers, and unloading
/// them under a running runtime buys nothing but risk.
/// </remarks>
internal sealed unsafe class Pkcs11Module
{
    private static readonly Dictionary<string, Pkcs11Module> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock LoadedGate = new();

    /// <summary>CK_UNAVAILABLE_INFORMATION: ~0 as a CK_ULONG (v2.40 §3.1).</summary>
    private static readonly nuint UnavailableInformation = new CULong(nuint.MaxValue).Value;

    private readonly Lock _gate = new();
    private readonly Pkcs11FunctionList _functions;
    private int _users;
    private bool _initialized;
    private bool _initializedByUs;
    private int _epoch;

    private Pkcs11Module(string path, Pkcs11FunctionList functions)
    {
        ModulePath = path;
        _functions = functions;
    }

    public string ModulePath { get; }

    /// <summary>The Cryptoki version the module reports in its function list.</summary>
    public CkVersion CryptokiVersion => _functions.Version;

    /// <summary>
    /// Bumped at every successful C_Initialize. Session and object handles from an older epoch are
    /// meaningless (C_Finalize closed them, §5.4) and may even collide with new ones, so they must
    /// never be passed back to the module.
    /// </summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>Loads (once per process) and initialises (once per first user) the module at <paramref name="path"/>.</summary>
    /// <exception cref="KeyProviderException">The file is missing or is not a PKCS#11 module.</exception>
    /// <exception cref="Pkcs11CallException">C_Initialize failed.</exception>
    public static Pkcs11Module Acquire(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (OperatingSystem.IsWindows())
        {
            // v2.40 §2.1: Windows modules pack Cryptoki structs to 1 byte; the structs here use the
            // natural alignment of Unix modules and would be misread there.
            throw new KeyProviderException("the PKCS#11 key provider supports Unix modules only (Windows packs Cryptoki structs differently)");
        }
        var fullPath = Path.GetFullPath(path);
        lock (LoadedGate)
        {
            if (!Loaded.TryGetValue(fullPath, out var module))
            {
                module = Load(fullPath);
                Loaded[fullPath] = module;
            }
            module.AddUser();
            return module;
        }
    }

    /// <summary>Gives back one <see cref="Acquire"/>; the last one calls C_Finalize.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_users == 0)
            {
                return;
            }
            _users--;
            if (_users == 0 && _initialized)
            {
                if (_initializedByUs)
                {
                    // Nothing useful can be done about a failing C_Finalize at release time.
                    _ = (CkRv)(ulong)_functions.Finalize(null).Value;
                }
                _initialized = false;
            }
        }
    }

    /// <summary>
    /// Recovers a module that lost its state (a removed token, a restarted network HSM, a C_Finalize by
    /// someone else): C_Finalize, then C_Initialize, which makes the module rescan its slots. Nothing
    /// happens if another caller already did it since <paramref name="seenEpoch"/>, so concurrent
    /// reconnects from several providers do not finalise each other's fresh sessions.
    /// </summary>
    public void Reinitialize(int seenEpoch)
    {
        lock (_gate)
        {
            if (_epoch != seenEpoch && _initialized)
            {
                return;
            }
            if (_initialized && _initializedByUs)
            {
                // CKR_CRYPTOKI_NOT_INITIALIZED here just means the state was already gone.
                _ = _functions.Finalize(null);
            }
            _initialized = false;
            InitializeCore();
        }
    }

    /// <summary>
    /// Test seam: C_Finalize behind the providers' backs, as a module that lost its state would behave.
    /// The next call through a provider sees CKR_CRYPTOKI_NOT_INITIALIZED and must reconnect.
    /// </summary>
    internal CkRv FinalizeBehindUsersBacks() => (CkRv)(ulong)_functions.Finalize(null).Value;

    public CULong[] GetSlotList(bool tokenPresent)
    {
        // Two-call convention of v2.40 §5.2: ask for the count, then fill; the count can grow between
        // the calls (a token inserted), which CKR_BUFFER_TOO_SMALL reports, so loop.
        while (true)
        {
            CULong count;
            Check("C_GetSlotList", _functions.GetSlotList(tokenPresent ? (byte)1 : (byte)0, null, &count));
            var slots = new CULong[(int)count.Value];
            if (slots.Length == 0)
            {
                return slots;
            }
            fixed (CULong* pointer = slots)
            {
                var rv = ToRv(_functions.GetSlotList(tokenPresent ? (byte)1 : (byte)0, pointer, &count));
                if (rv == CkRv.CKR_BUFFER_TOO_SMALL)
                {
                    continue;
                }
                Check("C_GetSlotList", rv);
            }
            return slots[..(int)count.Value];
        }
    }

    public CkTokenInfo GetTokenInfo(CULong slot)
    {
        CkTokenInfo info;
        Check("C_GetTokenInfo", _functions.GetTokenInfo(slot, &info));
        return info;
    }

    /// <summary>Opens a read/write session: generating token objects needs one (v2.40 §5.6 C_OpenSession).</summary>
    public CULong OpenSession(CULong slot)
    {
        CULong session;
        var flags = new CULong((nuint)(CkFlags.CKF_SERIAL_SESSION | CkFlags.CKF_RW_SESSION));
        Check("C_OpenSession", _functions.OpenSession(slot, flags, null, null, &session));
        return session;
    }

    /// <summary>Closes a session; the code is returned rather than thrown, closing is always best effort.</summary>
    public CkRv CloseSession(CULong session) => ToRv(_functions.CloseSession(session));

    /// <summary>
    /// C_Login as the normal user. The login state belongs to the application, not the session (v2.40
    /// §5.6: all sessions of an application share it), so CKR_USER_ALREADY_LOGGED_IN counts as success.
    /// </summary>
    public void Login(CULong session, ReadOnlySpan<byte> pin)
    {
        fixed (byte* pinPointer = pin)
        {
            var rv = ToRv(_functions.Login(session, new CULong((nuint)(ulong)CkUserType.CKU_USER), pinPointer, new CULong((nuint)pin.Length)));
            if (rv != CkRv.CKR_USER_ALREADY_LOGGED_IN)
            {
                Check("C_Login", rv);
            }
        }
    }

    public void Logout(CULong session) => Check("C_Logout", _functions.Logout(session));

    public void DestroyObject(CULong session, CULong handle) => Check("C_DestroyObject", _functions.DestroyObject(session, handle));

    /// <summary>Every object matching <paramref name="template"/>, up to <paramref name="maximum"/> (v2.40 §5.7 search operations).</summary>
    public List<CULong> FindObjects(CULong session, CkAttributeTemplate template, int maximum)
    {
        Check("C_FindObjectsInit", _functions.FindObjectsInit(session, template.Pointer, new CULong((nuint)template.Count)));
        GC.KeepAlive(template);
        var found = new List<CULong>();
        try
        {
            var batch = stackalloc CULong[16];
            while (found.Count < maximum)
            {
                CULong count;
                Check("C_FindObjects", _functions.FindObjects(session, batch, new CULong(16), &count));
                if (count.Value == 0)
                {
                    break;
                }
                for (nuint i = 0; i < count.Value && found.Count < maximum; i++)
                {
                    found.Add(batch[i]);
                }
            }
        }
        finally
        {
            // A search left open blocks every other operation on the session (CKR_OPERATION_ACTIVE).
            _ = _functions.FindObjectsFinal(session);
        }
        return found;
    }

    /// <summary>
    /// Reads one attribute. Returns the CK_RV instead of throwing so callers can tell "sensitive"
    /// (CKR_ATTRIBUTE_SENSITIVE, v2.40 §5.7 C_GetAttributeValue case 1) from a failure.
    /// </summary>
    public CkRv TryGetAttribute(CULong session, CULong handle, CkAttributeType type, out byte[]? value)
    {
        value = null;
        var attribute = new CkAttribute { Type = new CULong((nuint)(ulong)type) };
        var rv = ToRv(_functions.GetAttributeValue(session, handle, &attribute, new CULong(1)));
        if (rv != CkRv.CKR_OK)
        {
            return rv;
        }
        if (attribute.ValueLength.Value == UnavailableInformation)
        {
            return CkRv.CKR_ATTRIBUTE_SENSITIVE;
        }
        var buffer = new byte[(int)attribute.ValueLength.Value];
        fixed (byte* pointer = buffer)
        {
            attribute.Value = pointer;
            rv = ToRv(_functions.GetAttributeValue(session, handle, &attribute, new CULong(1)));
        }
        if (rv == CkRv.CKR_OK)
        {
            value = buffer[..(int)attribute.ValueLength.Value];
        }
        return rv;
    }

    public byte[] GetAttribute(CULong session, CULong handle, CkAttributeType type)
    {
        Check("C_GetAttributeValue", TryGetAttribute(session, handle, type, out var value));
        return value!;
    }

    /// <summary>A CK_ULONG-typed attribute (CKA_CLASS, CKA_KEY_TYPE, CKA_MODULUS_BITS).</summary>
    public ulong GetAttributeULong(CULong session, CULong handle, CkAttributeType type)
    {
        var bytes = GetAttribute(session, handle, type);
        if (bytes.Length != sizeof(CULong))
        {
            throw new Pkcs11CallException("C_GetAttributeValue", CkRv.CKR_ATTRIBUTE_VALUE_INVALID);
        }
        return MemoryMarshal.Read<CULong>(bytes).Value;
    }

    public bool GetAttributeBool(CULong session, CULong handle, CkAttributeType type) =>
        GetAttribute(session, handle, type) is [not 0];

    /// <summary>Generates a key pair on the token (v2.40 §5.14 C_GenerateKeyPair); returns (public, private) handles.</summary>
    public (CULong PublicKey, CULong PrivateKey) GenerateKeyPair(
        CULong session, CkMechanismType mechanism, CkAttributeTemplate publicTemplate, CkAttributeTemplate privateTemplate)
    {
        var ckMechanism = new CkMechanism { Mechanism = new CULong((nuint)(ulong)mechanism) };
        CULong publicKey, privateKey;
        Check("C_GenerateKeyPair", _functions.GenerateKeyPair(
            session,
            &ckMechanism,
            publicTemplate.Pointer,
            new CULong((nuint)publicTemplate.Count),
            privateTemplate.Pointer,
            new CULong((nuint)privateTemplate.Count),
            &publicKey,
            &privateKey));
        GC.KeepAlive(publicTemplate);
        GC.KeepAlive(privateTemplate);
        return (publicKey, privateKey);
    }

    /// <summary>
    /// C_SignInit + C_Sign in one step (v2.40 §5.11). <paramref name="expectedLength"/> is the signature
    /// size the caller knows from the key, which saves the length-query round trip; if the module
    /// still answers CKR_BUFFER_TOO_SMALL the operation stays active (§5.2) and is retried with the
    /// size it reported.
    /// </summary>
    public byte[] Sign(CULong session, CkMechanismType mechanism, CULong key, ReadOnlySpan<byte> input, int expectedLength)
    {
        var ckMechanism = new CkMechanism { Mechanism = new CULong((nuint)(ulong)mechanism) };
        Check("C_SignInit", _functions.SignInit(session, &ckMechanism, key));
        var signature = new byte[expectedLength];
        fixed (byte* data = input)
        {
            CULong length = new((nuint)signature.Length);
            CkRv rv;
            fixed (byte* output = signature)
            {
                rv = ToRv(_functions.Sign(session, data, new CULong((nuint)input.Length), output, &length));
            }
            if (rv == CkRv.CKR_BUFFER_TOO_SMALL)
            {
                signature = new byte[(int)length.Value];
                fixed (byte* output = signature)
                {
                    rv = ToRv(_functions.Sign(session, data, new CULong((nuint)input.Length), output, &length));
                }
            }
            Check("C_Sign", rv);
            return length.Value == (nuint)signature.Length ? signature : signature[..(int)length.Value];
        }
    }

    private static Pkcs11Module Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new KeyProviderException(
                $"PKCS#11 module '{path}' does not exist: check the module path in the key provider configuration " +
                "(SoftHSM2's is /usr/lib/softhsm/libsofthsm2.so, from `apt-get install softhsm2`)");
        }
        nint library;
        try
        {
            library = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new KeyProviderException($"PKCS#11 module '{path}' could not be loaded: {e.Message}", e);
        }
        if (!NativeLibrary.TryGetExport(library, "C_GetFunctionList", out var getFunctionList))
        {
            throw new KeyProviderException($"'{path}' is not a PKCS#11 module: it exports no C_GetFunctionList");
        }
        nint list;
        var rv = ToRv(((delegate* unmanaged<nint*, CULong>)getFunctionList)(&list));
        if (rv != CkRv.CKR_OK || list == 0)
        {
            throw new KeyProviderException($"PKCS#11 module '{path}': C_GetFunctionList failed: {Pkcs11CallException.Describe(rv)}");
        }
        try
        {
            return new Pkcs11Module(path, new Pkcs11FunctionList(list));
        }
        catch (InvalidOperationException e)
        {
            throw new KeyProviderException($"PKCS#11 module '{path}' has an unusable function list: {e.Message}", e);
        }
    }

    private void AddUser()
    {
        lock (_gate)
        {
            if (!_initialized)
            {
                InitializeCore();
            }
            _users++;
        }
    }

    private void InitializeCore()
    {
        var args = new CkCInitializeArgs { Flags = new CULong((nuint)CkFlags.CKF_OS_LOCKING_OK) };
        var rv = ToRv(_functions.Initialize(&args));
        if (rv == CkRv.CKR_CRYPTOKI_ALREADY_INITIALIZED)
        {
            // Someone else in this process (another library using the same module) owns the
            // initialisation: use it, and leave its C_Finalize to them.
            _initializedByUs = false;
        }
        else
        {
            Check("C_Initialize", rv);
            _initializedByUs = true;
        }
        _initialized = true;
        Interlocked.Increment(ref _epoch);
    }

    private static CkRv ToRv(CULong rv) => (CkRv)(ulong)rv.Value;

    private static void Check(string function, CULong rv) => Check(function, ToRv(rv));

    private static void Check(string function, CkRv rv)
    {
        if (rv != CkRv.CKR_OK)
        {
            throw new Pkcs11CallException(function, rv);
        }
    }
}
