using System.Formats.Asn1;
using AmiPki.Core.Asn1;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11.Interop;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// What to ask the token for when generating each <see cref="KeyAlgorithm"/>: the mechanism and the two
/// attribute templates of C_GenerateKeyPair (PKCS#11 v2.40 base specification §5.14; EC and RSA key
/// objects in the current mechanisms specification §2.3.3–2.3.4 and §2.1.2–2.1.3).
/// </summary>
internal static class Pkcs11KeyTemplates
{
    /// <summary>RSA public exponent 65537 (F4), big-endian as CKA_PUBLIC_EXPONENT wants it (mechanisms §2.1.2).</summary>
    private static readonly byte[] PublicExponent = [0x01, 0x00, 0x01];

    public static CkMechanismType GenerationMechanism(KeyAlgorithm algorithm) =>
        algorithm.IsEc() ? CkMechanismType.CKM_EC_KEY_PAIR_GEN : CkMechanismType.CKM_RSA_PKCS_KEY_PAIR_GEN;

    /// <summary>
    /// The public half: a token object anyone may read (CKA_PRIVATE false), so tools can export the
    /// public key without a PIN; only good for verifying.
    /// </summary>
    public static CkAttributeTemplate PublicKey(KeyAlgorithm algorithm, string label, ReadOnlySpan<byte> id)
    {
        var template = new CkAttributeTemplate()
            .Add(CkAttributeType.CKA_TOKEN, true)
            .Add(CkAttributeType.CKA_PRIVATE, false)
            .Add(CkAttributeType.CKA_LABEL, label)
            .Add(CkAttributeType.CKA_ID, id)
            .Add(CkAttributeType.CKA_VERIFY, true)
            .Add(CkAttributeType.CKA_ENCRYPT, false)
            .Add(CkAttributeType.CKA_WRAP, false);
        if (algorithm.IsEc())
        {
            // CKA_EC_PARAMS: DER ECParameters, here the namedCurve choice (mechanisms §2.3.3; RFC 5480 §2.1.1.1).
            template.Add(CkAttributeType.CKA_EC_PARAMS, NamedCurveParameters(algorithm));
        }
        else
        {
            template
                .Add(CkAttributeType.CKA_MODULUS_BITS, (ulong)ModulusBits(algorithm))
                .Add(CkAttributeType.CKA_PUBLIC_EXPONENT, PublicExponent);
        }
        return template;
    }

    /// <summary>
    /// The private half: a persistent token object (CKA_TOKEN) usable only after login (CKA_PRIVATE), whose
    /// value the token never reveals (CKA_SENSITIVE, v2.40 §4.9 table 25) nor lets be wrapped out
    /// (CKA_EXTRACTABLE false). Signing is its only use: a CA key that can also decrypt or derive is a
    /// key whose misuse the CA cannot rule out.
    /// </summary>
    public static CkAttributeTemplate PrivateKey(KeyAlgorithm algorithm, string label, ReadOnlySpan<byte> id)
    {
        var template = new CkAttributeTemplate()
            .Add(CkAttributeType.CKA_TOKEN, true)
            .Add(CkAttributeType.CKA_PRIVATE, true)
            .Add(CkAttributeType.CKA_SENSITIVE, true)
            .Add(CkAttributeType.CKA_EXTRACTABLE, false)
            .Add(CkAttributeType.CKA_LABEL, label)
            .Add(CkAttributeType.CKA_ID, id)
            .Add(CkAttributeType.CKA_SIGN, true)
            .Add(CkAttributeType.CKA_DECRYPT, false)
            .Add(CkAttributeType.CKA_UNWRAP, false);
        if (algorithm.IsEc())
        {
            template.Add(CkAttributeType.CKA_DERIVE, false);
        }
        return template;
    }

    /// <summary>DER OBJECT IDENTIFIER of the named curve, the form of CKA_EC_PARAMS AmiPki writes and accepts.</summary>
    public static byte[] NamedCurveParameters(KeyAlgorithm algorithm)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(CurveOid(algorithm));
        return writer.Encode();
    }

    public static string CurveOid(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => Oids.Secp256r1,
        KeyAlgorithm.EcP384 => Oids.Secp384r1,
        KeyAlgorithm.EcP521 => Oids.Secp521r1,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not an EC algorithm"),
    };

    public static KeyAlgorithm? AlgorithmForCurve(string oid) => oid switch
    {
        Oids.Secp256r1 => KeyAlgorithm.EcP256,
        Oids.Secp384r1 => KeyAlgorithm.EcP384,
        Oids.Secp521r1 => KeyAlgorithm.EcP521,
        _ => null,
    };

    public static int ModulusBits(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => 2048,
        KeyAlgorithm.Rsa3072 => 3072,
        KeyAlgorithm.Rsa4096 => 4096,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not an RSA algorithm"),
    };

    public static KeyAlgorithm? AlgorithmForModulusBits(int bits) => bits switch
    {
        2048 => KeyAlgorithm.Rsa2048,
        3072 => KeyAlgorithm.Rsa3072,
        4096 => KeyAlgorithm.Rsa4096,
        _ => null,
    };

    /// <summary>Bytes of a field element: CKM_ECDSA returns r||s, each this long (mechanisms §2.3.1).</summary>
    public static int FieldBytes(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => 32,
        KeyAlgorithm.EcP384 => 48,
        KeyAlgorithm.EcP521 => 66,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not an EC algorithm"),
    };

    /// <summary>Bytes the token returns from C_Sign: 2 × field size for ECDSA, the modulus size for RSA.</summary>
    public static int SignatureLength(KeyAlgorithm algorithm) =>
        algorithm.IsEc() ? 2 * FieldBytes(algorithm) : ModulusBits(algorithm) / 8;
}
