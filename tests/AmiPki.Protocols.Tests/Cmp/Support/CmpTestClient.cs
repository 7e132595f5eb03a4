using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Protocols.Cmp;

namespace AmiPki.Protocols.Tests.Cmp.Support;

/// <summary>
/// Encodes the requests a DCU sends (RFC 4210 §5.1, CRMF RFC 4211) so unit tests can drive <see cref="CmpService"/>
/// without openssl: headers with transactionID and nonces, MAC or signature protection, CertReqMessages with a
/// signature POP, certConf, rr and genm bodies. Deliberately independent of the adapter's own encoder.
/// </summary>
public sealed class CmpTestClient
{
    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);

    public byte[] TransactionId { get; set; } = RandomNumberGenerator.GetBytes(16);

    public byte[] SenderNonce { get; private set; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>senderNonce of the last response, echoed as recipNonce (RFC 4210 §5.1.1).</summary>
    public byte[]? RecipNonce { get; set; }

    public byte[] Message(PkiBodyType type, byte[] body, CmpTestProtection protection, bool implicitConfirm = false)
    {
        SenderNonce = RandomNumberGenerator.GetBytes(16);
        var header = new AsnWriter(AsnEncodingRules.DER);
        using (header.PushSequence())
        {
            header.WriteInteger(2);
            DirectoryName(header, new X500DistinguishedName("CN=test-dcu").RawData);
            DirectoryName(header, new X500DistinguishedName("").RawData);
            using (header.PushSequence(Explicit0))
            {
                header.WriteGeneralizedTime(DateTimeOffset.UtcNow, omitFractionalSeconds: true);
            }
            using (header.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                header.WriteEncodedValue(protection.AlgorithmIdentifier);
            }
            if (protection.SenderKid is { } kid)
            {
                Octets(header, 2, kid);
            }
            Octets(header, 4, TransactionId);
            Octets(header, 5, SenderNonce);
            if (RecipNonce is { } recipNonce)
            {
                Octets(header, 6, recipNonce);
            }
            if (implicitConfirm)
            {
                using (header.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 8, isConstructed: true)))
                using (header.PushSequence())
                using (header.PushSequence())
                {
                    header.WriteObjectIdentifier("1.3.6.1.5.5.7.4.13");
                    header.WriteNull();
                }
            }
        }
        var headerDer = header.Encode();
        var bodyWriter = new AsnWriter(AsnEncodingRules.DER);
        using (bodyWriter.PushSequence(new Asn1Tag(TagClass.ContextSpecific, (int)type, isConstructed: true)))
        {
            bodyWriter.WriteEncodedValue(body);
        }
        var bodyDer = bodyWriter.Encode();
        var protectedPart = new AsnWriter(AsnEncodingRules.DER);
        using (protectedPart.PushSequence())
        {
            protectedPart.WriteEncodedValue(headerDer);
            protectedPart.WriteEncodedValue(bodyDer);
        }
        var signature = protection.Protect(protectedPart.Encode());

        var message = new AsnWriter(AsnEncodingRules.DER);
        using (message.PushSequence())
        {
            message.WriteEncodedValue(headerDer);
            message.WriteEncodedValue(bodyDer);
            using (message.PushSequence(Explicit0))
            {
                message.WriteBitString(signature);
            }
            if (protection.ExtraCerts.Count > 0)
            {
                using (message.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                using (message.PushSequence())
                {
                    foreach (var certificate in protection.ExtraCerts)
                    {
                        message.WriteEncodedValue(certificate);
                    }
                }
            }
        }
        return message.Encode();
    }

    /// <summary>CertReqMessages with one CertReqMsg: subject, publicKey, optional oldCertID, POPOSigningKey over the CertRequest.</summary>
    public static byte[] CertRequest(ECDsa key, string subject, bool corruptPop = false, (byte[] IssuerDer, byte[] Serial)? oldCertId = null)
    {
        var request = new AsnWriter(AsnEncodingRules.DER);
        using (request.PushSequence())
        {
            request.WriteInteger(0);
            using (request.PushSequence())
            {
                using (request.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 5, isConstructed: true)))
                {
                    request.WriteEncodedValue(new X500DistinguishedName(subject).RawData);
                }
                var spki = key.ExportSubjectPublicKeyInfo();
                spki[0] = 0xA6; // publicKey [6] IMPLICIT SubjectPublicKeyInfo
                request.WriteEncodedValue(spki);
            }
            if (oldCertId is { } old)
            {
                using (request.PushSequence())
                using (request.PushSequence())
                {
                    request.WriteObjectIdentifier("1.3.6.1.5.5.7.5.1.5");
                    using (request.PushSequence())
                    {
                        DirectoryName(request, old.IssuerDer);
                        request.WriteIntegerUnsigned(old.Serial);
                    }
                }
            }
        }
        var requestDer = request.Encode();
        var pop = key.SignData(requestDer, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (corruptPop)
        {
            pop[^1] ^= 0x01;
        }
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(requestDer);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
                }
                writer.WriteBitString(pop);
            }
        }
        return writer.Encode();
    }

    /// <summary>CertConfirmContent with one CertStatus; <paramref name="reject"/> adds PKIStatusInfo rejection.</summary>
    public static byte[] CertConf(byte[] certificateDer, int certReqId = 0, bool reject = false, bool wrongHash = false)
    {
        var hash = SHA256.HashData(certificateDer);
        if (wrongHash)
        {
            hash[0] ^= 0xFF;
        }
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(hash);
            writer.WriteInteger(certReqId);
            if (reject)
            {
                using (writer.PushSequence())
                {
                    writer.WriteInteger(2);
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>PollReqContent ::= SEQUENCE OF SEQUENCE { certReqId } (RFC 4210 §5.3.22).</summary>
    public static byte[] PollReq(int certReqId = 0)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteInteger(certReqId);
        }
        return writer.Encode();
    }

    public static byte[] Genm(params string[] infoTypes)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var type in infoTypes)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(type);
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>RevReqContent with one RevDetails naming issuer [3] and serialNumber [1], and a CRLReason.</summary>
    public static byte[] Rr(X509Certificate2 certificate, int reason)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteInteger(certificate.SerialNumberBytes.Span, new Asn1Tag(TagClass.ContextSpecific, 1));
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)))
                {
                    writer.WriteEncodedValue(certificate.IssuerName.RawData);
                }
            }
            using (writer.PushSequence())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("2.5.29.21");
                var value = new AsnWriter(AsnEncodingRules.DER);
                value.WriteEnumeratedValue((System.Security.Cryptography.X509Certificates.X509RevocationReason)reason);
                writer.WriteOctetString(value.Encode());
            }
        }
        return writer.Encode();
    }

    private static void DirectoryName(AsnWriter writer, byte[] name)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        {
            writer.WriteEncodedValue(name);
        }
    }

    private static void Octets(AsnWriter writer, int tag, byte[] value)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tag, isConstructed: true)))
        {
            writer.WriteOctetString(value);
        }
    }
}
