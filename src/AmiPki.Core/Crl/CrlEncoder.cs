using System.Buffers;
using System.Formats.Asn1;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Crl;

/// <summary>
/// Encodes and signs a v2 CRL (RFC 5280 §5.1) with the issuer's key, wherever it lives. Entries are streamed from
/// storage and encoded in batches into one doubling buffer: a million entries cost their DER (about 40–60 bytes each)
/// a few times over, not a million objects, and time linear in their number. Extensions: AKI (§5.2.1), CRL Number (§5.2.3), Delta CRL Indicator
/// (§5.2.4, critical), Issuing Distribution Point (§5.2.5, critical; only with a distribution point) and Freshest CRL (§5.2.6, complete CRLs only);
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

        var head = new AsnWriter(AsnEncodingRules.DER);
        head.WriteInteger(1); // version v2 (§5.1.2.1: required when extensions are present)
        head.WriteEncodedValue(signatureAlgorithm); // signature
        head.WriteEncodedValue(issuer.SubjectName); // issuer
        WriteTime(head, parameters.ThisUpdate); // thisUpdate
        WriteTime(head, parameters.NextUpdate); // nextUpdate: always present (§5.1.2.5, MUST for conforming CAs)
        var headDer = head.Encode();

        // revokedCertificates: each entry encoded by hand straight into a doubling buffer. One AsnWriter for a million
        // entries would grow its buffer in fixed steps and copy it each time (quadratic); this stays linear and lean.
        var entriesBuffer = new ArrayBufferWriter<byte>(4096);
        var times = new EntryTimeCache();
        var count = 0;
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            var span = entriesBuffer.GetSpan(MaxEntryLength);
            entriesBuffer.Advance(WriteEntry(span, entry, times));
            count++;
        }

        var extensions = new AsnWriter(AsnEncodingRules.DER);
        using (extensions.PushSequence(Context0)) // crlExtensions [0] EXPLICIT
        using (extensions.PushSequence())
        {
            WriteExtension(extensions, CrlOids.AuthorityKeyIdentifier, false, EncodeAuthorityKeyIdentifier(issuer.SubjectKeyIdentifier));
            WriteExtension(extensions, CrlOids.CrlNumber, false, EncodeInteger(parameters.CrlNumber));
            if (parameters.DeltaBaseCrlNumber is { } baseNumber)
            {
                WriteExtension(extensions, CrlOids.DeltaCrlIndicator, true, EncodeInteger(baseNumber));
            }
            if (parameters.DistributionPointUrl is { } url)
            {
                // Same value in the complete and the delta CRL (§5.2.4 requires the scopes to match; OpenSSL compares the bytes).
                // Absent (no URL) for a CRL that covers every certificate of its issuer, such as a root's (CrlGenerator.ScopeUrlFor).
                WriteExtension(extensions, CrlOids.IssuingDistributionPoint, true, EncodeIssuingDistributionPoint(url));
            }
            if (!parameters.IsDelta && parameters.FreshestCrlUrl is { } freshest)
            {
                WriteExtension(extensions, CrlOids.FreshestCrl, false, EncodeDistributionPoints(freshest));
            }
        }
        var extensionsDer = extensions.Encode();

        // TBSCertList ::= SEQUENCE { head..., revokedCertificates SEQUENCE OF ... OPTIONAL, crlExtensions }. The entry
        // list is absent, not an empty SEQUENCE, when there is no entry (§5.1.2.6).
        var entriesLength = entriesBuffer.WrittenCount;
        var listLength = count == 0 ? 0 : 1 + LengthOfLength(entriesLength) + entriesLength;
        var tbsContent = headDer.Length + listLength + extensionsDer.Length;
        var tbsDer = new byte[1 + LengthOfLength(tbsContent) + tbsContent];
        var offset = WriteHeader(tbsDer, 0, tbsContent);
        headDer.CopyTo(tbsDer, offset);
        offset += headDer.Length;
        if (count > 0)
        {
            offset = WriteHeader(tbsDer, offset, entriesLength);
            entriesBuffer.WrittenSpan.CopyTo(tbsDer.AsSpan(offset));
            offset += entriesLength;
        }
        entriesBuffer.Clear();
        extensionsDer.CopyTo(tbsDer, offset);

        var signature = issuer.Key.Sign(tbsDer, issuer.SignatureHash);
        var tail = new AsnWriter(AsnEncodingRules.DER);
        tail.WriteEncodedValue(signatureAlgorithm); // signatureAlgorithm
        tail.WriteBitString(signature); // signatureValue
        var tailDer = tail.Encode();
        var crlContent = tbsDer.Length + tailDer.Length;
        var crl = new byte[1 + LengthOfLength(crlContent) + crlContent]; // CertificateList ::= SEQUENCE { tbsCertList, ... }
        offset = WriteHeader(crl, 0, crlContent);
        tbsDer.CopyTo(crl, offset);
        tailDer.CopyTo(crl, offset + tbsDer.Length);
        return new CrlEncoding(crl, count);
    }

    /// <summary>Octets of a DER definite length (X.690 §8.1.3) after the first.</summary>
    private static int LengthOfLength(int length) => length < 0x80 ? 1 : length <= 0xFF ? 2 : length <= 0xFFFF ? 3 : length <= 0xFFFFFF ? 4 : 5;

    /// <summary>Writes a SEQUENCE tag and a DER length; returns where the contents start.</summary>
    private static int WriteHeader(byte[] destination, int offset, int length)
    {
        destination[offset++] = 0x30;
        var octets = LengthOfLength(length);
        if (octets == 1)
        {
            destination[offset++] = (byte)length;
            return offset;
        }
        destination[offset++] = (byte)(0x80 | (octets - 1));
        for (var shift = (octets - 2) * 8; shift >= 0; shift -= 8)
        {
            destination[offset++] = (byte)(length >> shift);
        }
        return offset;
    }

    /// <summary>An entry never exceeds this: serial 2+32, time 2+15, reasonCode 12, invalidityDate 26, headers 4 (short lengths).</summary>
    private const int MaxEntryLength = 127;

    /// <summary>
    /// Writes one revokedCertificates entry (§5.1.2.6) by hand: every length fits one octet, so the DER is a fixed
    /// pattern. SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL }.
    /// </summary>
    private static int WriteEntry(Span<byte> destination, RevokedEntry entry, EntryTimeCache times)
    {
        Span<byte> serial = stackalloc byte[32];
        var hex = entry.SerialHex;
        if (hex.Length == 0 || hex.Length > 2 * serial.Length || hex.Length % 2 != 0
            || Convert.FromHexString(hex, serial, out _, out var length) != OperationStatus.Done
            || (length > 1 && ((serial[0] == 0 && serial[1] < 0x80) || (serial[0] == 0xFF && serial[1] >= 0x80))))
        {
            throw new FormatException($"stored serial '{hex}' is not the hexadecimal of a minimal DER INTEGER");
        }
        var revocation = entry.Revocation;
        var offset = 2; // SEQUENCE header, length patched below
        destination[offset++] = 0x02; // userCertificate INTEGER: the content octets as issued
        destination[offset++] = (byte)length;
        serial[..length].CopyTo(destination[offset..]);
        offset += length;
        offset += times.WriteRevocationDate(destination[offset..], revocation.RevokedAt); // revocationDate
        var reason = revocation.Reason;
        var hasReason = reason != RevocationReason.Unspecified && (int)reason < ReasonExtensions.Length;
        if (hasReason || revocation.InvalidityDate is not null)
        {
            var extensionsStart = offset;
            offset += 2; // crlEntryExtensions SEQUENCE header
            if (hasReason)
            {
                ReasonExtensions[(int)reason].CopyTo(destination[offset..]);
                offset += ReasonExtensions[(int)reason].Length;
            }
            if (revocation.InvalidityDate is { } invalidity)
            {
                // invalidityDate (§5.3.2) is a GeneralizedTime whatever the year: 30 18 06 03 55 1D 18 04 11 18 0F YYYYMMDDHHMMSSZ.
                InvalidityDatePrefix.CopyTo(destination[offset..]);
                offset += InvalidityDatePrefix.Length;
                offset += EntryTimeCache.WriteGeneralizedTime(destination[offset..], invalidity);
            }
            destination[extensionsStart] = 0x30;
            destination[extensionsStart + 1] = (byte)(offset - extensionsStart - 2);
        }
        destination[0] = 0x30;
        destination[1] = (byte)(offset - 2);
        return offset;
    }

    private static ReadOnlySpan<byte> InvalidityDatePrefix => [0x30, 0x18, 0x06, 0x03, 0x55, 0x1D, 0x18, 0x04, 0x11];

    /// <summary>
    /// Encodes revocation times. A bulk revocation gives thousands of entries the same second, and storage lists them in
    /// time order, so the last encoding is reused.
    /// </summary>
    private sealed class EntryTimeCache
    {
        private readonly byte[] _last = new byte[17];
        private long _lastSecond = long.MinValue;
        private int _lastLength;

        public int WriteRevocationDate(Span<byte> destination, DateTimeOffset time)
        {
            var second = time.UtcTicks / TimeSpan.TicksPerSecond;
            if (second != _lastSecond)
            {
                var utc = new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
                _lastLength = utc.Year < 2050 ? WriteUtcTime(_last, utc) : WriteGeneralizedTime(_last, utc);
                _lastSecond = second;
            }
            _last.AsSpan(0, _lastLength).CopyTo(destination);
            return _lastLength;
        }

        /// <summary>UTCTime YYMMDDHHMMSSZ (§4.1.2.5.1), with its tag and length.</summary>
        private static int WriteUtcTime(Span<byte> destination, DateTime utc)
        {
            destination[0] = 0x17;
            destination[1] = 13;
            Digits(destination[2..], utc.Year % 100);
            WriteMonthToSecond(destination[4..], utc);
            destination[14] = (byte)'Z';
            return 15;
        }

        /// <summary>GeneralizedTime YYYYMMDDHHMMSSZ (§4.1.2.5.2), with its tag and length.</summary>
        public static int WriteGeneralizedTime(Span<byte> destination, DateTimeOffset time) =>
            WriteGeneralizedTime(destination, new DateTime(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc));

        private static int WriteGeneralizedTime(Span<byte> destination, DateTime utc)
        {
            destination[0] = 0x18;
            destination[1] = 15;
            Digits(destination[2..], utc.Year / 100);
            Digits(destination[4..], utc.Year % 100);
            WriteMonthToSecond(destination[6..], utc);
            destination[16] = (byte)'Z';
            return 17;
        }

        private static void WriteMonthToSecond(Span<byte> destination, DateTime utc)
        {
            Digits(destination, utc.Month);
            Digits(destination[2..], utc.Day);
            Digits(destination[4..], utc.Hour);
            Digits(destination[6..], utc.Minute);
            Digits(destination[8..], utc.Second);
        }

        private static void Digits(Span<byte> destination, int value)
        {
            destination[0] = (byte)('0' + value / 10);
            destination[1] = (byte)('0' + value % 10);
        }
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
