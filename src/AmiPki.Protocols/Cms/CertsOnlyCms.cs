using System.Formats.Asn1;

namespace AmiPki.Protocols.Cms;

/// <summary>
/// A certs-only CMS message (RFC 5751 §3.2.2: SignedData without signers), the container EST and EST-coaps return
/// certificates in (RFC 7030 §4.1.3, §4.2.3), written straight from DER certificates: decoding an empty SignedCms and
/// adding X509Certificate2 objects to it costs more than the rest of an enrollment answer. Same bytes on the wire.
/// </summary>
internal static class CertsOnlyCms
{
    private const string SignedData = "1.2.840.113549.1.7.2";
    private const string Data = "1.2.840.113549.1.7.1";

    public static byte[] Encode(params ReadOnlySpan<byte[]> certificates)
    {
        var memories = new ReadOnlyMemory<byte>[certificates.Length];
        for (var i = 0; i < certificates.Length; i++)
        {
            memories[i] = certificates[i];
        }
        return Encode(memories);
    }

    public static byte[] Encode(IEnumerable<ReadOnlyMemory<byte>> certificates)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        // ContentInfo (RFC 5652 §3)
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(SignedData);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                // SignedData (RFC 5652 §5.1)
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1); // version: no attribute certificates, id-data content
                    using (writer.PushSetOf())
                    {
                        // digestAlgorithms: none, there is no signer
                    }

                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(Data); // encapContentInfo: id-data, eContent absent
                    }

                    // certificates [0] IMPLICIT CertificateSet: each certificate's DER as it is
                    using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        foreach (var certificate in certificates)
                        {
                            writer.WriteEncodedValue(certificate.Span);
                        }
                    }

                    using (writer.PushSetOf())
                    {
                        // signerInfos: empty (certs-only)
                    }
                }
            }
        }

        return writer.Encode();
    }
}
