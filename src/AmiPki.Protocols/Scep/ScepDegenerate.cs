using System.Formats.Asn1;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// A degenerate certs-only / CRLs-only SignedData (RFC 8894 §3.4, RFC 5652 §5.1): the container GetCACert returns
/// certificates in, and the content of a CertRep's pkcsPKIEnvelope (issued certificate or CRL).
/// </summary>
public static class ScepDegenerate
{
    public static byte[] Encode(IEnumerable<byte[]> certificates, IEnumerable<byte[]>? crls = null)
    {
        var certificateList = certificates.ToList();
        var crlList = crls?.ToList() ?? [];
        var writer = new AsnWriter(AsnEncodingRules.DER);
        // ContentInfo (RFC 5652 §3)
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(ScepOids.SignedData);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                // SignedData (RFC 5652 §5.1)
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1); // version 1: no attribute certificates, id-data content, no v3 signers
                    using (writer.PushSetOf())
                    {
                        // digestAlgorithms: none, there is no signer
                    }
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(ScepOids.Data); // encapContentInfo: id-data, eContent absent
                    }
                    if (certificateList.Count > 0)
                    {
                        // certificates [0] IMPLICIT CertificateSet: kept in the given order (DER SET OF would sort them)
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        {
                            foreach (var certificate in certificateList)
                            {
                                writer.WriteEncodedValue(certificate);
                            }
                        }
                    }
                    if (crlList.Count > 0)
                    {
                        // crls [1] IMPLICIT RevocationInfoChoices
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                        {
                            foreach (var crl in crlList)
                            {
                                writer.WriteEncodedValue(crl);
                            }
                        }
                    }
                    using (writer.PushSetOf())
                    {
                        // signerInfos: empty
                    }
                }
            }
        }
        return writer.Encode();
    }
}
