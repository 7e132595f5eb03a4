using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Asn1;

/// <summary>Maps key algorithm + hash to the AlgorithmIdentifier of a signature, and back.</summary>
public static class SignatureAlgorithms
{
    public static bool IsEc(this KeyAlgorithm algorithm) => algorithm is KeyAlgorithm.EcP256 or KeyAlgorithm.EcP384 or KeyAlgorithm.EcP521;

    public static string OidFor(KeyAlgorithm key, HashAlgorithmName hash) => (key.IsEc(), hash.Name) switch
    {
        (true, "SHA256") => Oids.EcdsaWithSha256,
        (true, "SHA384") => Oids.EcdsaWithSha384,
        (true, "SHA512") => Oids.EcdsaWithSha512,
        (false, "SHA256") => Oids.Sha256WithRsa,
        (false, "SHA384") => Oids.Sha384WithRsa,
        (false, "SHA512") => Oids.Sha512WithRsa,
        _ => throw new ArgumentException($"unsupported signature: {key} with {hash.Name}"),
    };

    /// <summary>DER AlgorithmIdentifier. ECDSA omits parameters (RFC 5758 §3.2); RSA carries NULL (RFC 4055 §5).</summary>
    public static byte[] EncodeIdentifier(KeyAlgorithm key, HashAlgorithmName hash)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(OidFor(key, hash));
            if (!key.IsEc())
            {
                writer.WriteNull();
            }
        }
        return writer.Encode();
    }

    /// <summary>Hash and family of a signature OID; false for anything we do not accept (PSS, SHA-1, MD5, ...).</summary>
    public static bool TryParse(string oid, out bool isEcdsa, out HashAlgorithmName hash)
    {
        (isEcdsa, hash) = oid switch
        {
            Oids.EcdsaWithSha256 => (true, HashAlgorithmName.SHA256),
            Oids.EcdsaWithSha384 => (true, HashAlgorithmName.SHA384),
            Oids.EcdsaWithSha512 => (true, HashAlgorithmName.SHA512),
            Oids.Sha256WithRsa => (false, HashAlgorithmName.SHA256),
            Oids.Sha384WithRsa => (false, HashAlgorithmName.SHA384),
            Oids.Sha512WithRsa => (false, HashAlgorithmName.SHA512),
            _ => (false, default),
        };
        return hash != default;
    }
}
