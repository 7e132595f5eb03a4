namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// A Cryptoki function returned something other than CKR_OK. Internal: the provider turns it into a
/// <see cref="Core.Keys.KeyProviderException"/> that also names the token.
/// </summary>
internal sealed class Pkcs11CallException : Exception
{
    public Pkcs11CallException(string function, CkRv returnValue)
        : base($"{function} failed: {Describe(returnValue)}")
    {
        Function = function;
        ReturnValue = returnValue;
    }

    /// <summary>The Cryptoki function, e.g. <c>C_Login</c>.</summary>
    public string Function { get; }

    public CkRv ReturnValue { get; }

    /// <summary>The CKR_ name, or the hex value for vendor-defined codes (v2.40 §5.1: CKR_VENDOR_DEFINED and up).</summary>
    public static string Describe(CkRv returnValue) =>
        Enum.IsDefined(returnValue) ? returnValue.ToString() : $"0x{(ulong)returnValue:X8}";
}
