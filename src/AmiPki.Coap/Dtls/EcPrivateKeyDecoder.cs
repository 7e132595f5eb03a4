using System.Formats.Asn1;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// Turns an EC private key — PKCS#8 PrivateKeyInfo (RFC 5208, RFC 5915 §1) with a named curve, or a bare SEC1
/// ECPrivateKey (RFC 5915 §3) — into an EVP_PKEY through OpenSSL's EC_KEY functions. OpenSSL 3.0's generic
/// d2i_AutoPrivateKey builds a decoder chain for every call, which costs a simulated meter more CPU than its
/// whole share of the handshake. Anything else (RSA, explicit curve parameters, malformed input) yields null and
/// the caller falls back to the generic decoder, so no key is refused here that it would accept.
/// </summary>
internal static unsafe class EcPrivateKeyDecoder
{
    /// <summary>id-ecPublicKey (RFC 5480 §2.1.1).</summary>
    private const string IdEcPublicKey = "1.2.840.10045.2.1";

    /// <summary>An EVP_PKEY* the caller frees, or null when this is not an EC key this path understands.</summary>
    public static nint? TryDecode(ReadOnlySpan<byte> der)
    {
        if (TryReadPkcs8(der, out string? curve, out var sec1Range))
        {
            int nid = OpenSslNative.OBJ_txt2nid(curve);
            return nid == 0 ? null : FromSec1(der[sec1Range], OpenSslNative.EC_KEY_new_by_curve_name(nid));
        }

        // A traditional "EC PRIVATE KEY": its own parameters name the curve.
        return FromSec1(der, 0);
    }

    private static bool TryReadPkcs8(ReadOnlySpan<byte> der, out string curve, out Range sec1)
    {
        const AsnEncodingRules Der = AsnEncodingRules.DER;
        curve = string.Empty;
        sec1 = default;
        try
        {
            AsnDecoder.ReadSequence(der, Der, out int infoOffset, out int infoLength, out int consumed);
            if (consumed != der.Length)
            {
                return false;
            }

            // PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm, privateKey OCTET STRING, ... }
            int position = infoOffset;
            int infoEnd = infoOffset + infoLength;
            AsnDecoder.ReadEncodedValue(der[position..infoEnd], Der, out _, out _, out consumed);
            position += consumed;
            AsnDecoder.ReadSequence(der[position..infoEnd], Der, out int algorithmOffset, out int algorithmLength, out consumed);
            var algorithm = der.Slice(position + algorithmOffset, algorithmLength);
            position += consumed;
            if (AsnDecoder.ReadObjectIdentifier(algorithm, Der, out int oidLength) != IdEcPublicKey)
            {
                return false;
            }

            var parameters = algorithm[oidLength..];
            if (!Asn1Tag.TryDecode(parameters, out var tag, out _) || !tag.HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
            {
                return false;
            }

            curve = AsnDecoder.ReadObjectIdentifier(parameters, Der, out _);
            if (!AsnDecoder.TryReadPrimitiveOctetString(der[position..infoEnd], Der, out var privateKey, out consumed))
            {
                return false;
            }

            int end = position + consumed;
            sec1 = new Range(end - privateKey.Length, end);
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>d2i_ECPrivateKey into <paramref name="ecKey"/> (which brings the curve when the SEC1 key omits it), or a fresh one.</summary>
    private static nint? FromSec1(ReadOnlySpan<byte> sec1, nint ecKey)
    {
        nint key = ecKey;
        nint parsed;
        fixed (byte* start = sec1)
        {
            byte* cursor = start;
            parsed = OpenSslNative.d2i_ECPrivateKey(key == 0 ? null : &key, &cursor, sec1.Length);
        }

        if (parsed == 0)
        {
            if (key != 0)
            {
                OpenSslNative.EC_KEY_free(key);
            }

            return null;
        }

        nint pkey = OpenSslNative.EVP_PKEY_new();
        if (pkey == 0 || OpenSslNative.EVP_PKEY_assign(pkey, OpenSslNative.EvpPkeyEc, parsed) != 1)
        {
            OpenSslNative.EC_KEY_free(parsed);
            if (pkey != 0)
            {
                OpenSslNative.EVP_PKEY_free(pkey);
            }

            return null;
        }

        return pkey;
    }
}
