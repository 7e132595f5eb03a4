using System.Formats.Asn1;
using AmiPki.Core.Asn1;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;

namespace AmiPki.Protocols.Est;

/// <summary>
/// The /csrattrs answer (RFC 7030 §4.5.2): <c>CsrAttrs ::= SEQUENCE SIZE (0..MAX) OF AttrOrOID</c>, where
/// <c>AttrOrOID ::= CHOICE { oid OBJECT IDENTIFIER, attribute Attribute }</c>. It tells the client which key the profile
/// wants (as in the RFC's example: an id-ecPublicKey attribute whose value is the curve, or rsaEncryption), the
/// signature algorithm to sign the CSR with, and that a SAN is expected when the profile requires one.
/// </summary>
internal static class CsrAttributes
{
    public static byte[] Encode(CertificateProfile profile)
    {
        var preferred = profile.KeyAlgorithms[0];
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (preferred.IsEc())
            {
                // Attribute { type id-ecPublicKey, values SET { namedCurve } } (RFC 7030 §4.5.2 example).
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(Oids.EcPublicKey);
                    using (writer.PushSetOf())
                    {
                        writer.WriteObjectIdentifier(CurveOid(preferred));
                    }
                }
            }
            else
            {
                writer.WriteObjectIdentifier(Oids.RsaEncryption);
            }
            // The signature algorithm (and so the hash) the CSR should be signed with.
            writer.WriteObjectIdentifier(SignatureOid(preferred));
            if (profile.SubjectAltNameRequired)
            {
                // extensionRequest: the CSR must carry its SAN in a PKCS#9 extensionRequest (RFC 2985 §5.4.2).
                writer.WriteObjectIdentifier(Oids.ExtensionRequest);
            }
        }
        return writer.Encode();
    }

    private static string CurveOid(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => Oids.Secp256r1,
        KeyAlgorithm.EcP384 => Oids.Secp384r1,
        KeyAlgorithm.EcP521 => Oids.Secp521r1,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static string SignatureOid(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => Oids.EcdsaWithSha256,
        KeyAlgorithm.EcP384 => Oids.EcdsaWithSha384,
        KeyAlgorithm.EcP521 => Oids.EcdsaWithSha512,
        _ => Oids.Sha256WithRsa,
    };
}
