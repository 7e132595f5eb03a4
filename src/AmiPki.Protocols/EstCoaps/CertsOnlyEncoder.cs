using System.Formats.Asn1;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// A certs-only CMS message (RFC 5751 §3.2.2: SignedData without signers) written straight from DER certificates:
/// the /sen answer of every meter, where decoding an empty SignedCms and re-encoding it (as EST's CertsOnlyCms does)
/// would cost more than the rest of the answer. Same bytes on the wire.
/// </summary>
internal static class CertsOnlyEncoder
{
    private const string SignedData = "1.2.840.113549.1.7.2";
    private const string Data = "1.2.840.113549.1.7.1";

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
