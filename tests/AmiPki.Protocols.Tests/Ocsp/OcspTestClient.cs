using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Revocation;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>Builds OCSP requests and reads responses the way a client would, independently of the responder's code.</summary>
public static class OcspTestClient
{
    public static byte[] Request(X509Certificate2 issuer, X509Certificate2 certificate, HashAlgorithmName? hash = null, byte[]? nonce = null) =>
        Request(issuer, [certificate.SerialNumberBytes.ToArray()], hash, nonce);

    public static byte[] Request(X509Certificate2 issuer, IReadOnlyList<byte[]> serials, HashAlgorithmName? hash = null, byte[]? nonce = null)
    {
        var algorithm = hash ?? HashAlgorithmName.SHA1;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence()) // OCSPRequest
        using (writer.PushSequence()) // TBSRequest
        {
            using (writer.PushSequence()) // requestList
            {
                foreach (var serial in serials)
                {
                    using (writer.PushSequence()) // Request
                    {
                        WriteCertId(writer, issuer, serial, algorithm);
                    }
                }
            }
            if (nonce is not null)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true)))
                using (writer.PushSequence())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.3.6.1.5.5.7.48.1.2");
                    var inner = new AsnWriter(AsnEncodingRules.DER);
                    inner.WriteOctetString(nonce);
                    writer.WriteOctetString(inner.Encode());
                }
            }
        }
        return writer.Encode();
    }

    public static void WriteCertId(AsnWriter writer, X509Certificate2 issuer, byte[] serial, HashAlgorithmName hash)
    {
        var keyBits = new AsnReader(issuer.PublicKey.ExportSubjectPublicKeyInfo(), AsnEncodingRules.DER).ReadSequence();
        keyBits.ReadSequence();
        var key = keyBits.ReadBitString(out _);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(hash == HashAlgorithmName.SHA256 ? "2.16.840.1.101.3.4.2.1" : "1.3.14.3.2.26");
                writer.WriteNull();
            }
            writer.WriteOctetString(CryptographicOperations.HashData(hash, issuer.SubjectName.RawData));
            writer.WriteOctetString(CryptographicOperations.HashData(hash, key));
            writer.WriteInteger(serial);
        }
    }

    /// <summary>What a client reads out of an OCSPResponse.</summary>
    public sealed record Parsed(int Status, byte[]? ResponderKeyHash, DateTimeOffset ProducedAt, IReadOnlyList<Single> Responses, byte[]? NonceValue,
        byte[]? Tbs, string? SignatureAlgorithm, byte[]? Signature, IReadOnlyList<X509Certificate2> Certificates);

    public sealed record Single(byte[] CertId, CertificateStatus Status, DateTimeOffset? RevokedAt, RevocationReason? Reason, DateTimeOffset ThisUpdate,
        DateTimeOffset? NextUpdate);

    public static Parsed Parse(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var status = (int)outer.ReadEnumeratedValue<TestStatus>();
        if (!outer.HasData)
        {
            return new Parsed(status, null, default, [], null, null, null, null, []);
        }
        var bytes = outer.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
        Assert.That(bytes.ReadObjectIdentifier(), Is.EqualTo("1.3.6.1.5.5.7.48.1.1"));
        var basic = new AsnReader(bytes.ReadOctetString(), AsnEncodingRules.DER).ReadSequence();
        var tbs = basic.PeekEncodedValue().ToArray();
        var data = basic.ReadSequence();
        var algorithm = basic.ReadSequence().ReadObjectIdentifier();
        var signature = basic.ReadBitString(out _);
        var certificates = new List<X509Certificate2>();
        if (basic.HasData)
        {
            var certs = basic.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
            while (certs.HasData)
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(certs.ReadEncodedValue().ToArray()));
            }
        }
        var responder = data.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true)).ReadOctetString();
        var producedAt = data.ReadGeneralizedTime();
        var responses = new List<Single>();
        var list = data.ReadSequence();
        while (list.HasData)
        {
            var single = list.ReadSequence();
            var certId = single.ReadEncodedValue().ToArray();
            var tag = single.PeekTag();
            CertificateStatus certStatus;
            DateTimeOffset? revokedAt = null;
            RevocationReason? reason = null;
            switch (tag.TagValue)
            {
                case 0:
                    single.ReadNull(new Asn1Tag(TagClass.ContextSpecific, 0));
                    certStatus = CertificateStatus.Good;
                    break;
                case 1:
                    var revoked = single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true));
                    revokedAt = revoked.ReadGeneralizedTime();
                    if (revoked.HasData)
                    {
                        reason = revoked.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadEnumeratedValue<RevocationReason>();
                    }
                    certStatus = CertificateStatus.Revoked;
                    break;
                default:
                    single.ReadNull(new Asn1Tag(TagClass.ContextSpecific, 2));
                    certStatus = CertificateStatus.Unknown;
                    break;
            }
            var thisUpdate = single.ReadGeneralizedTime();
            DateTimeOffset? nextUpdate = single.HasData ? single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadGeneralizedTime() : null;
            responses.Add(new Single(certId, certStatus, revokedAt, reason, thisUpdate, nextUpdate));
        }
        byte[]? nonce = null;
        if (data.HasData)
        {
            var extensions = data.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true)).ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                var value = extension.ReadOctetString();
                if (oid == "1.3.6.1.5.5.7.48.1.2")
                {
                    nonce = value;
                }
            }
        }
        return new Parsed(status, responder, producedAt, responses, nonce, tbs, algorithm, signature, certificates);
    }
}

/// <summary>responseStatus values as a client sees them.</summary>
public enum TestStatus
{
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}
