using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Issuance;

/// <summary>
/// The parts of a to-be-signed certificate that are the same for every certificate one CA issues under one profile,
/// encoded once: signature algorithm, issuer name and the constant extensions. Building a TBS then only writes the
/// serial, validity, subject, key, SKI and SAN around them — the lean hot path (DESIGN.md, performance).
/// </summary>
public sealed class CertificateTemplate
{
    private readonly byte[] _signatureAlgorithm;
    private readonly byte[] _issuerName;
    private readonly List<byte[]> _leadingExtensions = [];
    private readonly List<byte[]> _trailingExtensions = [];

    public CertificateTemplate(CertificateAuthority issuer, CertificateProfile profile)
    {
        Issuer = issuer;
        Profile = profile;
        _signatureAlgorithm = SignatureAlgorithms.EncodeIdentifier(issuer.Key.Algorithm, issuer.SignatureHash);
        _issuerName = issuer.SubjectName;

        // Extension order: BC, KU, EKU, then SKI and SAN (per certificate), then AKI, CDP, AIA, nocheck.
        var leading = _leadingExtensions;
        WriteExtension(leading, new X509BasicConstraintsExtension(false, false, 0, true));
        WriteExtension(leading, new X509KeyUsageExtension(KeyUsageNames.ToFlags(profile.KeyUsage), true));
        if (profile.ExtendedKeyUsage.Count > 0)
        {
            var usages = new OidCollection();
            foreach (var usage in profile.ExtendedKeyUsage)
            {
                usages.Add(new Oid(KeyUsageNames.ToOid(usage)));
            }
            WriteExtension(leading, new X509EnhancedKeyUsageExtension(usages, false));
        }

        var trailing = _trailingExtensions;
        WriteExtension(trailing, X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuer.SubjectKeyIdentifier));
        if (profile.IncludeCrlDistributionPoint && issuer.Record.CrlUrl is { } crlUrl)
        {
            WriteExtension(trailing, CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlUrl], false));
        }
        if (profile.IncludeAuthorityInfoAccess && (issuer.Record.OcspUrl is not null || issuer.Record.CaIssuersUrl is not null))
        {
            WriteExtension(trailing, new X509AuthorityInformationAccessExtension(
                issuer.Record.OcspUrl is { } ocsp && !profile.OcspNoCheck ? [ocsp] : null,
                issuer.Record.CaIssuersUrl is { } caIssuers ? [caIssuers] : null));
        }
        if (profile.OcspNoCheck)
        {
            // RFC 6960 §4.2.2.2.1: id-pkix-ocsp-nocheck, value NULL.
            WriteExtension(trailing, Oids.OcspNoCheck, false, [0x05, 0x00]);
        }
    }

    public CertificateAuthority Issuer { get; }

    public CertificateProfile Profile { get; }

    /// <summary>DER AlgorithmIdentifier of the issuer's signature, for the outer Certificate too.</summary>
    public ReadOnlySpan<byte> SignatureAlgorithm => _signatureAlgorithm;

    /// <summary>Encodes the DER TBSCertificate (RFC 5280 §4.1.2).</summary>
    public byte[] BuildTbs(ReadOnlySpan<byte> serial, DateTimeOffset notBefore, DateTimeOffset notAfter, CertificationRequest csr,
        RequestedExtension? subjectAltName)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 1024);
        using (writer.PushSequence())
        {
            // version [0] EXPLICIT v3(2)
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                writer.WriteInteger(2);
            }
            writer.WriteIntegerUnsigned(serial);
            writer.WriteEncodedValue(_signatureAlgorithm);
            writer.WriteEncodedValue(_issuerName);
            using (writer.PushSequence())
            {
                WriteTime(writer, notBefore);
                WriteTime(writer, notAfter);
            }
            writer.WriteEncodedValue(csr.SubjectDer.Span);
            writer.WriteEncodedValue(csr.SubjectPublicKeyInfo.Span);
            // extensions [3] EXPLICIT SEQUENCE OF Extension
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)))
            using (writer.PushSequence())
            {
                foreach (var extension in _leadingExtensions)
                {
                    writer.WriteEncodedValue(extension);
                }
                WriteExtension(writer, Oids.SubjectKeyIdentifier, false, SubjectKeyIdentifierValue(csr.PublicKeyBits.Span));
                if (subjectAltName is not null)
                {
                    // RFC 5280 §4.2.1.6: critical when the subject is empty.
                    WriteExtension(writer, Oids.SubjectAltName, csr.Subject.Count == 0, subjectAltName.Value);
                }
                foreach (var extension in _trailingExtensions)
                {
                    writer.WriteEncodedValue(extension);
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }.</summary>
    public byte[] Assemble(ReadOnlySpan<byte> tbs, ReadOnlySpan<byte> signature)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: tbs.Length + signature.Length + 32);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbs);
            writer.WriteEncodedValue(_signatureAlgorithm);
            writer.WriteBitString(signature);
        }
        return writer.Encode();
    }

    /// <summary>RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents, as an OCTET STRING.</summary>
    private static byte[] SubjectKeyIdentifierValue(ReadOnlySpan<byte> publicKeyBits)
    {
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(publicKeyBits, digest);
        var value = new byte[22];
        value[0] = 0x04;
        value[1] = 20;
        digest.CopyTo(value.AsSpan(2));
        return value;
    }

    /// <summary>RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.</summary>
    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        if (utc.Year < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    private static void WriteExtension(List<byte[]> extensions, X509Extension extension) =>
        WriteExtension(extensions, extension.Oid!.Value!, extension.Critical, extension.RawData);

    private static void WriteExtension(List<byte[]> extensions, string oid, bool critical, ReadOnlySpan<byte> value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        WriteExtension(writer, oid, critical, value);
        extensions.Add(writer.Encode());
    }

    private static void WriteExtension(AsnWriter writer, string oid, bool critical, ReadOnlySpan<byte> value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (critical)
            {
                writer.WriteBoolean(true);
            }
            writer.WriteOctetString(value);
        }
    }
}
