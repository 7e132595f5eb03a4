using System.Runtime.InteropServices;
using System.Text;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// Builds a CK_ATTRIBUTE array (a "template", PKCS#11 v2.40 base specification §4.1) whose values live in
/// pinned arrays, so the pointers handed to the module stay valid for as long as this object is alive
/// without fixed blocks or frees. Values follow §4.1: CK_BBOOL is one byte, CK_ULONG-typed attributes
/// (CKA_CLASS, CKA_KEY_TYPE, CKA_MODULUS_BITS) are native-size unsigned longs, CKA_LABEL is UTF-8.
/// </summary>
internal sealed unsafe class CkAttributeTemplate
{
    private readonly List<(CkAttributeType Type, byte[] Value)> _entries = [];
    private CkAttribute[]? _built;

    public int Count => _entries.Count;

    public CkAttributeTemplate Add(CkAttributeType type, bool value) => Add(type, [value ? (byte)1 : (byte)0]);

    public CkAttributeTemplate Add(CkAttributeType type, ulong value)
    {
        var bytes = new byte[sizeof(CULong)];
        MemoryMarshal.Write(bytes, new CULong((nuint)value));
        return Add(type, bytes);
    }

    public CkAttributeTemplate Add(CkAttributeType type, CkObjectClass value) => Add(type, (ulong)value);

    public CkAttributeTemplate Add(CkAttributeType type, CkKeyType value) => Add(type, (ulong)value);

    public CkAttributeTemplate Add(CkAttributeType type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    public CkAttributeTemplate Add(CkAttributeType type, ReadOnlySpan<byte> value)
    {
        _built = null;
        var pinned = GC.AllocateUninitializedArray<byte>(value.Length, pinned: true);
        value.CopyTo(pinned);
        _entries.Add((type, pinned));
        return this;
    }

    /// <summary>The CK_ATTRIBUTE array, in a pinned array: valid while this template is reachable.</summary>
    public CkAttribute* Pointer
    {
        get
        {
            _built ??= Build();
            return _built.Length == 0 ? null : (CkAttribute*)Marshal.UnsafeAddrOfPinnedArrayElement(_built, 0);
        }
    }

    private CkAttribute[] Build()
    {
        var attributes = GC.AllocateArray<CkAttribute>(_entries.Count, pinned: true);
        for (var i = 0; i < _entries.Count; i++)
        {
            var (type, value) = _entries[i];
            attributes[i].Type = new CULong((nuint)(ulong)type);
            attributes[i].Value = value.Length == 0 ? null : (void*)Marshal.UnsafeAddrOfPinnedArrayElement(value, 0);
            attributes[i].ValueLength = new CULong((nuint)value.Length);
        }
        return attributes;
    }
}
