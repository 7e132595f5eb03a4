using System.Runtime.InteropServices;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// The entry points AmiPki calls, read out of the module's CK_FUNCTION_LIST (PKCS#11 v2.40 base
/// specification §3.6 and pkcs11f.h). Only C_GetFunctionList is looked up by symbol name: §5.4 makes
/// the function list the portable way to reach the others, and some modules export nothing else.
/// </summary>
/// <remarks>
/// CK_FUNCTION_LIST is a CK_VERSION (2 bytes) followed by one pointer per function in pkcs11f.h
/// order; with natural alignment the first pointer sits at offset <c>IntPtr.Size</c>. The indexes
/// below are positions in that order. v3.0 modules return a CK_FUNCTION_LIST_3_0 whose prefix is the
/// same list, so reading only these slots is safe for them too.
/// </remarks>
internal sealed unsafe class Pkcs11FunctionList
{
    // Positions in pkcs11f.h (v2.40), counted from C_Initialize = 0.
    private const int InitializeIndex = 0;
    private const int FinalizeIndex = 1;
    private const int GetSlotListIndex = 4;
    private const int GetTokenInfoIndex = 6;
    private const int OpenSessionIndex = 12;
    private const int CloseSessionIndex = 13;
    private const int LoginIndex = 18;
    private const int LogoutIndex = 19;
    private const int DestroyObjectIndex = 22;
    private const int GetAttributeValueIndex = 24;
    private const int FindObjectsInitIndex = 26;
    private const int FindObjectsIndex = 27;
    private const int FindObjectsFinalIndex = 28;
    private const int SignInitIndex = 42;
    private const int SignIndex = 43;
    private const int GenerateKeyPairIndex = 59;

    public Pkcs11FunctionList(nint functionList)
    {
        Version = Marshal.PtrToStructure<CkVersion>(functionList);
        Initialize = (delegate* unmanaged<CkCInitializeArgs*, CULong>)Slot(functionList, InitializeIndex);
        Finalize = (delegate* unmanaged<void*, CULong>)Slot(functionList, FinalizeIndex);
        GetSlotList = (delegate* unmanaged<byte, CULong*, CULong*, CULong>)Slot(functionList, GetSlotListIndex);
        GetTokenInfo = (delegate* unmanaged<CULong, CkTokenInfo*, CULong>)Slot(functionList, GetTokenInfoIndex);
        OpenSession = (delegate* unmanaged<CULong, CULong, void*, void*, CULong*, CULong>)Slot(functionList, OpenSessionIndex);
        CloseSession = (delegate* unmanaged<CULong, CULong>)Slot(functionList, CloseSessionIndex);
        Login = (delegate* unmanaged<CULong, CULong, byte*, CULong, CULong>)Slot(functionList, LoginIndex);
        Logout = (delegate* unmanaged<CULong, CULong>)Slot(functionList, LogoutIndex);
        DestroyObject = (delegate* unmanaged<CULong, CULong, CULong>)Slot(functionList, DestroyObjectIndex);
        GetAttributeValue = (delegate* unmanaged<CULong, CULong, CkAttribute*, CULong, CULong>)Slot(functionList, GetAttributeValueIndex);
        FindObjectsInit = (delegate* unmanaged<CULong, CkAttribute*, CULong, CULong>)Slot(functionList, FindObjectsInitIndex);
        FindObjects = (delegate* unmanaged<CULong, CULong*, CULong, CULong*, CULong>)Slot(functionList, FindObjectsIndex);
        FindObjectsFinal = (delegate* unmanaged<CULong, CULong>)Slot(functionList, FindObjectsFinalIndex);
        SignInit = (delegate* unmanaged<CULong, CkMechanism*, CULong, CULong>)Slot(functionList, SignInitIndex);
        Sign = (delegate* unmanaged<CULong, byte*, CULong, byte*, CULong*, CULong>)Slot(functionList, SignIndex);
        GenerateKeyPair = (delegate* unmanaged<CULong, CkMechanism*, CkAttribute*, CULong, CkAttribute*, CULong, CULong*, CULong*, CULong>)Slot(functionList, GenerateKeyPairIndex);
    }

    /// <summary>The Cryptoki version the module implements (CK_FUNCTION_LIST.version).</summary>
    public CkVersion Version { get; }

    // C_Initialize(CK_VOID_PTR pInitArgs)
    public delegate* unmanaged<CkCInitializeArgs*, CULong> Initialize { get; }

    // C_Finalize(CK_VOID_PTR pReserved)
    public delegate* unmanaged<void*, CULong> Finalize { get; }

    // C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
    public delegate* unmanaged<byte, CULong*, CULong*, CULong> GetSlotList { get; }

    // C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
    public delegate* unmanaged<CULong, CkTokenInfo*, CULong> GetTokenInfo { get; }

    // C_OpenSession(CK_SLOT_ID, CK_FLAGS, CK_VOID_PTR pApplication, CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR)
    public delegate* unmanaged<CULong, CULong, void*, void*, CULong*, CULong> OpenSession { get; }

    // C_CloseSession(CK_SESSION_HANDLE)
    public delegate* unmanaged<CULong, CULong> CloseSession { get; }

    // C_Login(CK_SESSION_HANDLE, CK_USER_TYPE, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
    public delegate* unmanaged<CULong, CULong, byte*, CULong, CULong> Login { get; }

    // C_Logout(CK_SESSION_HANDLE)
    public delegate* unmanaged<CULong, CULong> Logout { get; }

    // C_DestroyObject(CK_SESSION_HANDLE, CK_OBJECT_HANDLE)
    public delegate* unmanaged<CULong, CULong, CULong> DestroyObject { get; }

    // C_GetAttributeValue(CK_SESSION_HANDLE, CK_OBJECT_HANDLE, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
    public delegate* unmanaged<CULong, CULong, CkAttribute*, CULong, CULong> GetAttributeValue { get; }

    // C_FindObjectsInit(CK_SESSION_HANDLE, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
    public delegate* unmanaged<CULong, CkAttribute*, CULong, CULong> FindObjectsInit { get; }

    // C_FindObjects(CK_SESSION_HANDLE, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
    public delegate* unmanaged<CULong, CULong*, CULong, CULong*, CULong> FindObjects { get; }

    // C_FindObjectsFinal(CK_SESSION_HANDLE)
    public delegate* unmanaged<CULong, CULong> FindObjectsFinal { get; }

    // C_SignInit(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE hKey)
    public delegate* unmanaged<CULong, CkMechanism*, CULong, CULong> SignInit { get; }

    // C_Sign(CK_SESSION_HANDLE, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
    public delegate* unmanaged<CULong, byte*, CULong, byte*, CULong*, CULong> Sign { get; }

    // C_GenerateKeyPair(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG,
    //                   CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG, CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
    public delegate* unmanaged<CULong, CkMechanism*, CkAttribute*, CULong, CkAttribute*, CULong, CULong*, CULong*, CULong> GenerateKeyPair { get; }

    private static void* Slot(nint functionList, int index)
    {
        var pointer = Marshal.ReadIntPtr(functionList, IntPtr.Size * (1 + index));
        if (pointer == 0)
        {
            // Every slot must point to a function (v2.40 §3.6: an unsupported one points to a stub returning
            // CKR_FUNCTION_NOT_SUPPORTED); a null one would crash the process on call, so refuse the module now.
            throw new InvalidOperationException($"CK_FUNCTION_LIST slot {index} is null");
        }
        return (void*)pointer;
    }
}
