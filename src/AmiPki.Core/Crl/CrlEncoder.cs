using System.Buffers;
using System.Formats.Asn1;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Crl;

/// <summary>
/// Encodes and signs a v2 CRL (RFC 5280 §5.1) with the issuer's key, wherever it lives. Entries are streamed from
/// storage straight into one <see cref="AsnWriter"/>: a million entries cost their DER (about 40 bytes each) plus the
/// writer's growth, not a million objects. Extensions: AKI (§5.2.1), CRL Number (§5.2.3), Delta CRL Indicator
/// (§5.2.4, critical), Issuing Distribution Point (§5.2.5, critical) and Freshest CRL (§5.2.6, complete CRLs only);
/// entries carry reasonCode (§5.3.1, omitted for unspecified) and invalidityDate (§5.3.2).
/// </summary>
public static class CrlEncoder
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly byte[][] ReasonExtensions = BuildReasonExtensions();

    /// <summary>Builds and signs the CRL; <paramref name="entries"/> is enumerated once.</summary>
    public static async Task<CrlEncoding> EncodeAsync(CertificateAuthority issuer, CrlParameters parameters, IAsyncEnumerable<RevokedEntry> entries,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(entries);
        if (parameters.NextUpdate <= parameters.ThisUpdate)
        {
            throw new ArgumentException("nextUpdate must be later than thisUpdate (RFC 5280 §5.1.2.5)");
        }
        var signatureAlgorithm = SignatureAlgorithms.EncodeIdentifier(issuer.Key.Algorithm, issuer.SignatureHash);
        var tbs = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 4096);
        var count = 0;
        tbs.PushSequence();
        tbs.WriteInteger(1); // version v2 (§5.1.2.1: required when extensions are present)
        tbs.WriteEncodedValue(signatureAlgorithm); // signature
        tbs.WriteEncodedValue(issuer.SubjectName); // issuer
        WriteTime(tbs, parameters.ThisUpdate); // thisUpdate
        WriteTime(tbs, parameters.NextUpdate); // nextUpdate: always present (§5.1.2.5, MUST for conforming CAs)

        await using (var enumerator = entries.GetAsyncEnumerator(cancellationToken))
        {
            // revokedCertificates is absent, not an empty SEQUENCE, when there is no entry (§5.1.2.6).
            if (await enumerator.MoveNextAsync())
            {
                tbs.PushSequence();
                do
                {
                    WriteEntry(tbs, enumerator.Current);
                    count++;
                }
                while (await enumerator.MoveNextAsync());
                tbs.PopSequence();
            }
        }

        tbs.PushSequence(Context0); // crlExtensions [0] EXPLICIT
        tbs.PushSequence();
        WriteExtension(tbs, CrlOids.AuthorityKeyIdentifier, false, EncodeAuthorityKeyIdentifier(issuer.SubjectKeyIdentifier));
        WriteExtension(tbs, CrlOids.CrlNumber, false, EncodeInteger(parameters.CrlNumber));
        if (parameters.DeltaBaseCrlNumber is { } baseNumber)
        {
            WriteExtension(tbs, CrlOids.DeltaCrlIndicator, true, EncodeInteger(baseNumber));
        }
        if (parameters.DistributionPointUrl is { } url)
        {
            // Same value in the complete and the delta CRL (§5.2.4 requires the scopes to match; OpenSSL compares the bytes).
            WriteExtension(tbs, CrlOids.IssuingDistributionPoint, true, EncodeIssuingDistributionPoint(url));
        }
        if (!parameters.IsDelta && parameters.FreshestCrlUrl is { } freshest)
        {
            WriteExtension(tbs, CrlOids.FreshestCrl, false, EncodeDistributionPoints(freshest));
        }
        tbs.PopSequence();
        tbs.PopSequence(Context0);
        tbs.PopSequence();

        var tbsDer = tbs.Encode();
        tbs.Reset();
        var signature = issuer.Key.Sign(tbsDer, issuer.SignatureHash);
        var crl = new AsnWriter(AsnEncodingRules.DER, initialCapacity: tbsDer.Length + signature.Length + 64);
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(tbsDer); // tbsCertList
            crl.WriteEncodedValue(signatureAlgorithm); // signatureAlgorithm
            crl.WriteBitString(signature); // signatureValue
        }
        return new CrlEncoding(crl.Encode(), count);
    }

    private static void WriteEntry(AsnWriter writer, RevokedEntry entry)
    {
        Span<byte> serial = stackalloc byte[32];
        var hex = entry.SerialHex;
        if (hex.Length > 2 * serial.Length || hex.Length % 2 != 0
            || Convert.FromHexString(hex, serial, out _, out var length) != OperationStatus.Done)
        {
            throw new FormatException($"stored serial '{hex}' is not hexadecimal");
        }
        var revocation = entry.Revocation;
        writer.PushSequence();
        writer.WriteInteger(serial[..length]); // userCertificate (content octets as issued)
        WriteTime(writer, revocation.RevokedAt); // revocationDate
        var reason = revocation.Reason;
        var hasReason = reason != RevocationReason.Unspecified && (int)reason < ReasonExtensions.Length;
        if (hasReason || revocation.InvalidityDate is not null)
        {
            writer.PushSequence(); // crlEntryExtensions
            if (hasReason)
            {
                writer.WriteEncodedValue(ReasonExtensions[(int)reason]);
            }
            if (revocation.InvalidityDate is { } invalidity)
            {
                // invalidityDate is a GeneralizedTime whatever the year (§5.3.2).
                var value = new AsnWriter(AsnEncodingRules.DER);
                value.WriteGeneralizedTime(TruncateToSeconds(invalidity), omitFractionalSeconds: true);
                WriteExtension(writer, CrlOids.InvalidityDate, false, value.Encode());
            }
            writer.PopSequence();
        }
        writer.PopSequence();
    }

    /// <summary>UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §5.1.2.4), whole seconds.</summary>
    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var utc = TruncateToSeconds(time);
        if (utc.Year < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static void WriteExtension(AsnWriter writer, string oid, bool critical, byte[] value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (critical)
            {
                writer.WriteBoolean(true); // DEFAULT FALSE: only encoded when true (DER)
            }
            writer.WriteOctetString(value);
        }
    }

    private static byte[] EncodeInteger(long value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(value);
        return writer.Encode();
    }

    /// <summary>AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING, ... } (§4.2.1.1).</summary>
    private static byte[] EncodeAuthorityKeyIdentifier(byte[] keyIdentifier)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(keyIdentifier, new Asn1Tag(TagClass.ContextSpecific, 0));
        }
        return writer.Encode();
    }

    /// <summary>
    /// IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName, ... } with only the
    /// distribution point: no onlyContains* flag and no reasons, so the CRL covers every certificate whose CDP names
    /// the same URL (OpenSSL otherwise reports "different CRL scope"). DistributionPointName is a CHOICE, so its [0]
    /// is explicit; fullName [0] GeneralNames is implicit; the URI is [6] IA5String.
    /// </summary>
    public static byte[] EncodeIssuingDistributionPoint(string url)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteDistributionPointName(writer, url);
        }
        return writer.Encode();
    }

    /// <summary>CRLDistributionPoints ::= SEQUENCE OF DistributionPoint (the Freshest CRL syntax, §5.2.6).</summary>
    private static byte[] EncodeDistributionPoints(string url)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            WriteDistributionPointName(writer, url);
        }
        return writer.Encode();
    }

    private static void WriteDistributionPointName(AsnWriter writer, string url)
    {
        using (writer.PushSequence(Context0)) // distributionPoint [0]
        using (writer.PushSequence(Context0)) // fullName [0] GeneralNames
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, url, new Asn1Tag(TagClass.ContextSpecific, 6)); // uniformResourceIdentifier [6]
        }
    }

    private static byte[][] BuildReasonExtensions()
    {
        var extensions = new byte[11][];
        for (var reason = 0; reason < extensions.Length; reason++)
        {
            var value = new AsnWriter(AsnEncodingRules.DER);
            value.WriteEnumeratedValue((RevocationReason)reason);
            var extension = new AsnWriter(AsnEncodingRules.DER);
            WriteExtension(extension, CrlOids.ReasonCode, false, value.Encode());
            extensions[reason] = extension.Encode();
        }
        return extensions;
    }
}
