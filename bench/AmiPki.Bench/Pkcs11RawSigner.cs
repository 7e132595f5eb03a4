using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AmiPki.Bench;

/// <summary>
/// SoftHSM2's raw signing rate: C_SignInit + C_Sign (CKM_ECDSA over a ready 32-byte digest) in a loop on one session per
/// thread, with nothing of AmiPki around it. The yardstick for the provider's end-to-end issuance rate. A minimal binding
/// of its own (PKCS#11 v2.40 function list slots), because the provider's interop layer is internal to AmiPki.Keys.
/// </summary>
public static class Pkcs11RawSigner
{
    // CK_FUNCTION_LIST: a CK_VERSION (padded to 8 bytes), then function pointers in the order of PKCS#11 v2.40 §5.
    private const int InitializeSlot = 0;
    private const int GetSlotListSlot = 4;
    private const int GetTokenInfoSlot = 6;
    private const int OpenSessionSlot = 12;
    private const int CloseSessionSlot = 13;
    private const int LoginSlot = 18;
    private const int FindObjectsInitSlot = 26;
    private const int FindObjectsSlot = 27;
    private const int FindObjectsFinalSlot = 28;
    private const int SignInitSlot = 42;
    private const int SignSlot = 43;

    private const nuint CkrOk = 0;
    private const nuint CkrUserAlreadyLoggedIn = 0x100;
    private const nuint CkrCryptokiAlreadyInitialized = 0x191;
    private const nuint CkfRwSession = 0x2;
    private const nuint CkfSerialSession = 0x4;
    private const nuint CkfOsLockingOk = 0x2;
    private const nuint CkuUser = 1;
    private const nuint CkaClass = 0x0;
    private const nuint CkaLabel = 0x3;
    private const nuint CkoPrivateKey = 3;
    private const nuint CkmEcdsa = 0x1041;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint GetFunctionListFn(out nint list);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint InitializeFn(nint args);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint GetSlotListFn(byte tokenPresent, [Out] nuint[]? slots, ref nuint count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint GetTokenInfoFn(nuint slot, nint info);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint OpenSessionFn(nuint slot, nuint flags, nint application, nint notify, out nuint session);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint CloseSessionFn(nuint session);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint LoginFn(nuint session, nuint userType, byte[] pin, nuint pinLength);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint FindObjectsInitFn(nuint session, nint template, nuint count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint FindObjectsFn(nuint session, [Out] nuint[] objects, nuint max, out nuint count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint FindObjectsFinalFn(nuint session);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint SignInitFn(nuint session, nint mechanism, nuint key);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint SignFn(nuint session, byte[] data, nuint dataLength, [Out] byte[] signature, ref nuint signatureLength);

    /// <summary>
    /// Signs for <paramref name="duration"/> on <paramref name="threads"/> threads (one session each) with the EC private
    /// key labelled <paramref name="keyLabel"/>; returns signatures per second. The module may already be initialised by a
    /// provider in this process; it is then shared and never finalised here.
    /// </summary>
    public static double Measure(string modulePath, string tokenLabel, string pin, string keyLabel, int threads, TimeSpan duration)
    {
        var library = NativeLibrary.Load(modulePath);
        var getFunctionList = Marshal.GetDelegateForFunctionPointer<GetFunctionListFn>(NativeLibrary.GetExport(library, "C_GetFunctionList"));
        Check("C_GetFunctionList", getFunctionList(out var list));
        T Function<T>(int slot) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(Marshal.ReadIntPtr(list, 8 + slot * IntPtr.Size));

        // CK_C_INITIALIZE_ARGS: four mutex callbacks (null), flags, reserved: native OS locking for several threads.
        var args = Marshal.AllocHGlobal(6 * IntPtr.Size);
        try
        {
            for (var i = 0; i < 6; i++)
            {
                Marshal.WriteIntPtr(args, i * IntPtr.Size, i == 4 ? (nint)CkfOsLockingOk : 0);
            }
            var rv = Function<InitializeFn>(InitializeSlot)(args);
            if (rv != CkrCryptokiAlreadyInitialized)
            {
                Check("C_Initialize", rv);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(args);
        }

        var slot = FindSlot(Function<GetSlotListFn>(GetSlotListSlot), Function<GetTokenInfoFn>(GetTokenInfoSlot), tokenLabel);
        var openSession = Function<OpenSessionFn>(OpenSessionSlot);
        var closeSession = Function<CloseSessionFn>(CloseSessionSlot);
        var login = Function<LoginFn>(LoginSlot);
        var signInit = Function<SignInitFn>(SignInitSlot);
        var sign = Function<SignFn>(SignSlot);
        var sessions = new nuint[threads];
        for (var i = 0; i < threads; i++)
        {
            Check("C_OpenSession", openSession(slot, CkfSerialSession | CkfRwSession, 0, 0, out sessions[i]));
        }
        try
        {
            var pinBytes = Encoding.UTF8.GetBytes(pin);
            var loginRv = login(sessions[0], CkuUser, pinBytes, (nuint)pinBytes.Length);
            if (loginRv != CkrUserAlreadyLoggedIn)
            {
                Check("C_Login", loginRv);
            }
            var key = FindPrivateKey(sessions[0], keyLabel, Function<FindObjectsInitFn>(FindObjectsInitSlot), Function<FindObjectsFn>(FindObjectsSlot),
                Function<FindObjectsFinalFn>(FindObjectsFinalSlot));

            long signatures = 0;
            var mechanism = Marshal.AllocHGlobal(3 * IntPtr.Size);
            try
            {
                // CK_MECHANISM { CKM_ECDSA, no parameter }.
                Marshal.WriteIntPtr(mechanism, 0, (nint)CkmEcdsa);
                Marshal.WriteIntPtr(mechanism, IntPtr.Size, 0);
                Marshal.WriteIntPtr(mechanism, 2 * IntPtr.Size, 0);
                var stopwatch = Stopwatch.StartNew();
                var workers = sessions.Select(session => new Thread(() =>
                {
                    var digest = new byte[32];
                    Random.Shared.NextBytes(digest);
                    var signature = new byte[132];
                    long count = 0;
                    while (stopwatch.Elapsed < duration)
                    {
                        Check("C_SignInit", signInit(session, mechanism, key));
                        var length = (nuint)signature.Length;
                        Check("C_Sign", sign(session, digest, (nuint)digest.Length, signature, ref length));
                        count++;
                    }
                    Interlocked.Add(ref signatures, count);
                })).ToList();
                workers.ForEach(w => w.Start());
                workers.ForEach(w => w.Join());
                return signatures / stopwatch.Elapsed.TotalSeconds;
            }
            finally
            {
                Marshal.FreeHGlobal(mechanism);
            }
        }
        finally
        {
            foreach (var session in sessions)
            {
                closeSession(session);
            }
        }
    }

    private static nuint FindSlot(GetSlotListFn getSlotList, GetTokenInfoFn getTokenInfo, string tokenLabel)
    {
        nuint count = 0;
        Check("C_GetSlotList", getSlotList(1, null, ref count));
        var slots = new nuint[(int)count];
        Check("C_GetSlotList", getSlotList(1, slots, ref count));
        // CK_TOKEN_INFO starts with the 32-byte blank-padded label; 512 bytes hold the whole structure.
        var info = Marshal.AllocHGlobal(512);
        try
        {
            foreach (var slot in slots.Take((int)count))
            {
                Check("C_GetTokenInfo", getTokenInfo(slot, info));
                var label = new byte[32];
                Marshal.Copy(info, label, 0, 32);
                if (Encoding.UTF8.GetString(label).TrimEnd(' ') == tokenLabel)
                {
                    return slot;
                }
            }
        }
        finally
        {
            Marshal.FreeHGlobal(info);
        }
        throw new InvalidOperationException($"PKCS#11 token '{tokenLabel}' not found");
    }

    private static nuint FindPrivateKey(nuint session, string label, FindObjectsInitFn init, FindObjectsFn find, FindObjectsFinalFn final)
    {
        // Two CK_ATTRIBUTEs { type, pValue, ulValueLen }: CKA_CLASS = CKO_PRIVATE_KEY, CKA_LABEL = label.
        var labelBytes = Encoding.UTF8.GetBytes(label);
        var classValue = Marshal.AllocHGlobal(IntPtr.Size);
        var labelValue = Marshal.AllocHGlobal(labelBytes.Length);
        var template = Marshal.AllocHGlobal(6 * IntPtr.Size);
        try
        {
            Marshal.WriteIntPtr(classValue, (nint)CkoPrivateKey);
            Marshal.Copy(labelBytes, 0, labelValue, labelBytes.Length);
            nint[] fields = [(nint)CkaClass, classValue, IntPtr.Size, (nint)CkaLabel, labelValue, labelBytes.Length];
            Marshal.Copy(fields, 0, template, fields.Length);
            Check("C_FindObjectsInit", init(session, template, 2));
            var found = new nuint[2];
            try
            {
                Check("C_FindObjects", find(session, found, 2, out var count));
                return count == 1 ? found[0] : throw new InvalidOperationException($"{count} private keys labelled '{label}'");
            }
            finally
            {
                final(session);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(template);
            Marshal.FreeHGlobal(labelValue);
            Marshal.FreeHGlobal(classValue);
        }
    }

    private static void Check(string function, nuint rv)
    {
        if (rv != CkrOk)
        {
            throw new InvalidOperationException($"{function} failed: CKR 0x{rv:X}");
        }
    }
}
