using System.Formats.Asn1;
using System.Runtime.InteropServices;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11.Interop;

namespace AmiPki.Keys.Pkcs11;

/// <summary>Reads a key object's public attributes and turns them into a <see cref="KeyAlgorithm"/> and SubjectPublicKeyInfo.</summary>
internal static class Pkcs11PublicKeyReader
{
    /// <summary>
    /// EC: CKA_EC_PARAMS (named curve) and CKA_EC_POINT of a public key object (mechanisms §2.3.3).
    /// RSA: CKA_MODULUS and CKA_PUBLIC_EXPONENT, which the private key object also carries (mechanisms
    /// §2.1.3), so an RSA key whose public object was deleted still opens.
    /// </summary>
    /// <exception cref="FormatException">The key is of a type, curve or size AmiPki does not use.</exception>
    public static (KeyAlgorithm Algorithm, byte[] SubjectPublicKeyInfo) Read(Pkcs11Module module, CULong session, CULong handle)
    {
        var keyType = (CkKeyType)module.GetAttributeULong(session, handle, CkAttributeType.CKA_KEY_TYPE);
        switch (keyType)
        {
            case CkKeyType.CKK_EC:
            {
                var parameters = module.GetAttribute(session, handle, CkAttributeType.CKA_EC_PARAMS);
                string oid;
                try
                {
                    oid = AsnDecoder.ReadObjectIdentifier(parameters, AsnEncodingRules.DER, out _);
                }
                catch (AsnContentException e)
                {
                    // Explicit curve parameters are refused on purpose (named curves only, RFC 5480 §2.1.1).
                    throw new FormatException("CKA_EC_PARAMS is not a named curve", e);
                }
                var algorithm = Pkcs11KeyTemplates.AlgorithmForCurve(oid)
                    ?? throw new FormatException($"curve {oid} is not one AmiPki signs with");
                var point = SubjectPublicKeyInfoEncoder.UnwrapEcPoint(
                    module.GetAttribute(session, handle, CkAttributeType.CKA_EC_POINT),
                    Pkcs11KeyTemplates.FieldBytes(algorithm));
                return (algorithm, SubjectPublicKeyInfoEncoder.EncodeEc(oid, point));
            }
            case CkKeyType.CKK_RSA:
            {
                var modulus = module.GetAttribute(session, handle, CkAttributeType.CKA_MODULUS);
                var exponent = module.GetAttribute(session, handle, CkAttributeType.CKA_PUBLIC_EXPONENT);
                var bits = (modulus.Length - modulus.AsSpan().IndexOfAnyExcept((byte)0)) * 8;
                var algorithm = Pkcs11KeyTemplates.AlgorithmForModulusBits(bits)
                    ?? throw new FormatException($"an RSA modulus of about {bits} bits is not one AmiPki signs with");
                return (algorithm, SubjectPublicKeyInfoEncoder.EncodeRsa(modulus, exponent));
            }
            default:
                throw new FormatException($"key type 0x{(ulong)keyType:X} is neither CKK_EC nor CKK_RSA");
        }
    }
}
