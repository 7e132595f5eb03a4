using System.Formats.Asn1;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// An OCSPRequest (RFC 6960 §4.1.1) parsed from untrusted DER with bounds on size and counts. Every failure is an
/// <see cref="OcspFormatException"/> (answered with malformedRequest). A request signature is skipped: RFC 5019 §2.1.1
/// responders need not check it, and AmiPki answers anyone.
/// </summary>
public sealed class OcspRequest
{
    public const int MaxSize = 16 * 1024;
    public const int MaxRequests = 16;
    private const int MaxExtensions = 16;
    private const int MaxSerialLength = 64;
    private const int MaxHashLength = 64;

    /// <summary>RFC 8954 §2.1: nonces of 1 to 32 octets; up to 128 tolerated (clients predating it), more is refused.</summary>
    public const int MaxNonceLength = 128;

    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2, isConstructed: true);

    private OcspRequest(IReadOnlyList<OcspCertId> certIds, ReadOnlyMemory<byte>? nonce)
    {
        CertIds = certIds;
        Nonce = nonce;
    }

    public IReadOnlyList<OcspCertId> CertIds { get; }

    /// <summary>The nonce extension's extnValue contents, echoed byte for byte (RFC 6960 §4.4.1); null without one.</summary>
    public ReadOnlyMemory<byte>? Nonce { get; }

    public static OcspRequest Parse(ReadOnlyMemory<byte> der)
    {
        if (der.Length == 0)
        {
            throw new OcspFormatException("empty request");
        }
        if (der.Length > MaxSize)
        {
            throw new OcspFormatException($"the request is {der.Length} bytes; at most {MaxSize} are accepted");
        }
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var request = outer.ReadSequence(); // OCSPRequest
            outer.ThrowIfNotEmpty();
            var tbs = request.ReadSequence(); // tbsRequest
            if (request.HasData)
            {
                // optionalSignature [0] EXPLICIT Signature: not checked (RFC 5019 §2.1.1).
                ExpectTag(request, Context0);
                request.ReadEncodedValue();
            }
            request.ThrowIfNotEmpty();

            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Context0))
            {
                var version = tbs.ReadSequence(Context0); // version [0] EXPLICIT Version DEFAULT v1
                if (!version.TryReadInt32(out var number) || number != 0)
                {
                    throw new OcspFormatException("only OCSP v1 requests exist");
                }
                version.ThrowIfNotEmpty();
            }
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Context1))
            {
                tbs.ReadEncodedValue(); // requestorName [1] EXPLICIT GeneralName: informational only
            }
            var list = tbs.ReadSequence(); // requestList SEQUENCE OF Request
            var certIds = new List<OcspCertId>(1);
            while (list.HasData)
            {
                if (certIds.Count == MaxRequests)
                {
                    throw new OcspFormatException($"more than {MaxRequests} certificates in one request");
                }
                var single = list.ReadSequence(); // Request
                certIds.Add(ReadCertId(single));
                if (single.HasData)
                {
                    // singleRequestExtensions [0] EXPLICIT: none we act on.
                    ExpectTag(single, Context0);
                    single.ReadEncodedValue();
                }
                single.ThrowIfNotEmpty();
            }
            if (certIds.Count == 0)
            {
                throw new OcspFormatException("the request lists no certificate");
            }
            ReadOnlyMemory<byte>? nonce = null;
            if (tbs.HasData)
            {
                nonce = ReadExtensions(tbs.ReadSequence(Context2)); // requestExtensions [2] EXPLICIT Extensions
            }
            tbs.ThrowIfNotEmpty();
            return new OcspRequest(certIds, nonce);
        }
        catch (AsnContentException e)
        {
            throw new OcspFormatException($"not a DER OCSPRequest: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new OcspFormatException($"not a DER OCSPRequest: {e.Message}", e);
        }
    }

    private static OcspCertId ReadCertId(AsnReader single)
    {
        var encoded = single.PeekEncodedValue();
        var certId = single.ReadSequence();
        var algorithm = certId.ReadSequence(); // hashAlgorithm AlgorithmIdentifier
        var oid = algorithm.ReadObjectIdentifier();
        if (algorithm.HasData)
        {
            algorithm.ReadNull(); // parameters: NULL or absent for the SHA family
        }
        algorithm.ThrowIfNotEmpty();
        var nameHash = certId.ReadOctetString();
        var keyHash = certId.ReadOctetString();
        if (nameHash.Length > MaxHashLength || keyHash.Length > MaxHashLength)
        {
            throw new OcspFormatException("CertID hashes are too long");
        }
        var serial = certId.ReadIntegerBytes(); // serialNumber CertificateSerialNumber
        if (serial.Length > MaxSerialLength)
        {
            throw new OcspFormatException($"serial numbers have at most 20 octets (RFC 5280 §4.1.2.2); got {serial.Length}");
        }
        certId.ThrowIfNotEmpty();
        OcspHashAlgorithm? hash = OcspOids.TryParseHash(oid, out var known) ? known : null;
        return new OcspCertId(hash, nameHash, keyHash, serial, encoded);
    }

    private static void ExpectTag(AsnReader reader, Asn1Tag tag)
    {
        if (!reader.PeekTag().HasSameClassAndValue(tag))
        {
            throw new OcspFormatException($"unexpected field {reader.PeekTag()}");
        }
    }

    private static int? InnerOctetStringLength(byte[] value)
    {
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.DER);
            var inner = reader.ReadOctetString();
            return reader.HasData ? null : inner.Length;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static ReadOnlyMemory<byte>? ReadExtensions(AsnReader explicitTag)
    {
        var extensions = explicitTag.ReadSequence();
        explicitTag.ThrowIfNotEmpty();
        ReadOnlyMemory<byte>? nonce = null;
        var count = 0;
        while (extensions.HasData)
        {
            if (++count > MaxExtensions)
            {
                throw new OcspFormatException($"more than {MaxExtensions} request extensions");
            }
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                extension.ReadBoolean();
            }
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (oid == OcspOids.Nonce)
            {
                if (nonce is not null)
                {
                    throw new OcspFormatException("two nonce extensions");
                }
                // extnValue normally holds OCTET STRING(nonce) (RFC 8954 §2.1); the inner length is what is bounded.
                var length = InnerOctetStringLength(value) ?? value.Length;
                if (length == 0 || length > MaxNonceLength)
                {
                    throw new OcspFormatException($"nonces have 1 to {MaxNonceLength} octets (RFC 8954 §2.1)");
                }
                nonce = value;
            }
        }
        return nonce;
    }
}
