using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Issuance;

/// <summary>
/// A PKCS#10 certification request (RFC 2986) parsed from untrusted DER, with bounds on size and counts. Every
/// failure is an <see cref="IssuanceRefusal"/> of kind MalformedRequest or KeyNotAllowed.
/// </summary>
public sealed partial class CertificationRequest
{
    public const int MaxSize = 64 * 1024;
    private const int MaxNameAttributes = 32;
    private const int MaxAttributes = 16;
    private const int MaxExtensions = 32;

    private CertificationRequest() { }

    /// <summary>The DER CertificationRequestInfo: what the signature covers.</summary>
    public ReadOnlyMemory<byte> InfoDer { get; private set; }

    /// <summary>The DER subject Name, copied as-is into the certificate after policy checks.</summary>
    public ReadOnlyMemory<byte> SubjectDer { get; private set; }

    public IReadOnlyList<NameAttribute> Subject { get; private set; } = [];

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; private set; }

    /// <summary>The BIT STRING contents of subjectPublicKey (what the SKI hashes, RFC 5280 §4.2.1.2).</summary>
    public ReadOnlyMemory<byte> PublicKeyBits { get; private set; }

    public KeyAlgorithm KeyAlgorithm { get; private set; }

    public string SignatureAlgorithmOid { get; private set; } = "";

    public ReadOnlyMemory<byte> Signature { get; private set; }

    /// <summary>Extensions requested through the PKCS#9 extensionRequest attribute, by OID.</summary>
    public IReadOnlyDictionary<string, RequestedExtension> RequestedExtensions { get; private set; } = new Dictionary<string, RequestedExtension>();

    public string? ChallengePassword { get; private set; }

    public string? CommonName => Subject.FirstOrDefault(a => a.Oid == Oids.CommonName)?.Value;

    public static CertificationRequest Parse(ReadOnlyMemory<byte> der)
    {
        if (der.Length > MaxSize)
        {
            throw Malformed($"the CSR is {der.Length} bytes; at most {MaxSize} are accepted");
        }
        try
        {
            var request = new CertificationRequest();
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            request.InfoDer = sequence.PeekEncodedValue();
            request.ReadInfo(sequence.ReadSequence());
            var algorithm = sequence.ReadSequence();
            request.SignatureAlgorithmOid = algorithm.ReadObjectIdentifier();
            request.Signature = sequence.ReadBitString(out var unused);
            if (unused != 0)
            {
                throw Malformed("the signature BIT STRING has unused bits");
            }
            sequence.ThrowIfNotEmpty();
            return request;
        }
        catch (AsnContentException e)
        {
            throw Malformed($"the CSR is not valid DER: {e.Message}");
        }
        catch (CryptographicException e)
        {
            throw Malformed($"the CSR is not valid DER: {e.Message}");
        }
    }

    /// <summary>Proof of possession: the CSR's signature verifies with the public key it carries (RFC 2986 §3).</summary>
    public bool VerifySignature()
    {
        if (!SignatureAlgorithms.TryParse(SignatureAlgorithmOid, out var isEcdsa, out var hash) || isEcdsa != KeyAlgorithm.IsEc())
        {
            return false;
        }
        try
        {
            if (isEcdsa)
            {
                if (Crypto.OpenSslEcdsaVerifier.TryVerify(KeyAlgorithm, PublicKeyBits.Span, InfoDer.Span, Signature.Span, hash) is { } verified)
                {
                    return verified;
                }
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.Span, out _);
                return ecdsa.VerifyData(InfoDer.Span, Signature.Span, hash, DSASignatureFormat.Rfc3279DerSequence);
            }
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.Span, out _);
            return rsa.VerifyData(InfoDer.Span, Signature.Span, hash, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private void ReadInfo(AsnReader info)
    {
        if (!info.TryReadInt32(out var version) || version != 0)
        {
            throw Malformed("the CSR version must be v1 (0)");
        }
        SubjectDer = info.PeekEncodedValue();
        Subject = ReadName(info.ReadSequence());
        SubjectPublicKeyInfo = info.PeekEncodedValue();
        ReadSubjectPublicKeyInfo(info.ReadSequence());
        if (info.HasData)
        {
            ReadAttributes(info.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 0)));
        }
        info.ThrowIfNotEmpty();
    }

    internal static IReadOnlyList<NameAttribute> ReadName(AsnReader name)
    {
        var attributes = new List<NameAttribute>();
        while (name.HasData)
        {
            var rdn = name.ReadSetOf();
            while (rdn.HasData)
            {
                if (attributes.Count == MaxNameAttributes)
                {
                    throw Malformed($"the subject has more than {MaxNameAttributes} attributes");
                }
                var atv = rdn.ReadSequence();
                var oid = atv.ReadObjectIdentifier();
                var tag = atv.PeekTag();
                string? value = tag.TagClass == TagClass.Universal && IsStringTag((UniversalTagNumber)tag.TagValue)
                    ? atv.ReadCharacterString((UniversalTagNumber)tag.TagValue)
                    : null;
                if (value is null)
                {
                    atv.ReadEncodedValue();
                }
                atv.ThrowIfNotEmpty();
                attributes.Add(new NameAttribute(oid, value));
            }
        }
        return attributes;
    }

    private static bool IsStringTag(UniversalTagNumber tag) => tag is UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString
        or UniversalTagNumber.IA5String or UniversalTagNumber.BMPString or UniversalTagNumber.UniversalString or UniversalTagNumber.T61String
        or UniversalTagNumber.NumericString or UniversalTagNumber.VisibleString;

    private void ReadSubjectPublicKeyInfo(AsnReader spki)
    {
        var algorithm = spki.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        PublicKeyBits = spki.ReadBitString(out _);
        spki.ThrowIfNotEmpty();
        switch (oid)
        {
            case Oids.EcPublicKey:
                // RFC 5480 §2.1.1: PKIX uses namedCurve only. Explicit (specifiedCurve) parameters are refused before
                // any library parses them (explicit-curve parsing has been a denial-of-service vector).
                if (!algorithm.HasData || algorithm.PeekTag() != Asn1Tag.ObjectIdentifier)
                {
                    throw new IssuanceRefusal(RefusalKind.KeyNotAllowed, "EC keys must use a named curve; explicit curve parameters are not accepted (RFC 5480 §2.1.1)");
                }
                KeyAlgorithm = algorithm.ReadObjectIdentifier() switch
                {
                    Oids.Secp256r1 => KeyAlgorithm.EcP256,
                    Oids.Secp384r1 => KeyAlgorithm.EcP384,
                    Oids.Secp521r1 => KeyAlgorithm.EcP521,
                    var curve => throw new IssuanceRefusal(RefusalKind.KeyNotAllowed, $"EC curve {curve} is not supported (P-256, P-384 or P-521)"),
                };
                break;
            case Oids.RsaEncryption:
                // RFC 3279 §2.3.1: the parameters are NULL (tolerate their absence).
                if (algorithm.HasData)
                {
                    algorithm.ReadNull();
                }
                var rsaKey = new AsnReader(PublicKeyBits, AsnEncodingRules.DER).ReadSequence();
                var modulus = rsaKey.ReadInteger();
                var bits = modulus.Sign <= 0 ? 0 : (int)modulus.GetBitLength();
                KeyAlgorithm = bits switch
                {
                    2048 => KeyAlgorithm.Rsa2048,
                    3072 => KeyAlgorithm.Rsa3072,
                    4096 => KeyAlgorithm.Rsa4096,
                    _ => throw new IssuanceRefusal(RefusalKind.KeyNotAllowed, $"RSA-{bits} keys are not accepted (RSA-2048, 3072 or 4096)"),
                };
                break;
            default:
                throw new IssuanceRefusal(RefusalKind.KeyNotAllowed, $"public key algorithm {oid} is not supported (EC or RSA)");
        }
        algorithm.ThrowIfNotEmpty();
    }

    private void ReadAttributes(AsnReader attributes)
    {
        var extensions = new Dictionary<string, RequestedExtension>(StringComparer.Ordinal);
        var count = 0;
        while (attributes.HasData)
        {
            if (++count > MaxAttributes)
            {
                throw Malformed($"the CSR has more than {MaxAttributes} attributes");
            }
            var attribute = attributes.ReadSequence();
            var type = attribute.ReadObjectIdentifier();
            var values = attribute.ReadSetOf();
            attribute.ThrowIfNotEmpty();
            switch (type)
            {
                case Oids.ExtensionRequest:
                    ReadExtensions(values.ReadSequence(), extensions);
                    break;
                case Oids.ChallengePassword:
                    var tag = values.PeekTag();
                    ChallengePassword = values.ReadCharacterString((UniversalTagNumber)tag.TagValue);
                    break;
                default:
                    while (values.HasData)
                    {
                        values.ReadEncodedValue();
                    }
                    break;
            }
        }
        RequestedExtensions = extensions;
    }

    private static void ReadExtensions(AsnReader sequence, Dictionary<string, RequestedExtension> extensions)
    {
        while (sequence.HasData)
        {
            if (extensions.Count == MaxExtensions)
            {
                throw Malformed($"the CSR requests more than {MaxExtensions} extensions");
            }
            var extension = sequence.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag() == Asn1Tag.Boolean && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!extensions.TryAdd(oid, new RequestedExtension(oid, critical, value)))
            {
                throw Malformed($"the CSR requests extension {oid} twice (RFC 5280 §4.2)");
            }
        }
    }

    private static IssuanceRefusal Malformed(string reason) => new(RefusalKind.MalformedRequest, reason);
}
