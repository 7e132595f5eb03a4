using System.Formats.Asn1;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Protocols.Est;

/// <summary>
/// A certs-only CMS message (RFC 5751 §3.2.2, "degenerate" SignedData with no signers), the container EST returns
/// certificates in (RFC 7030 §4.1.3, §4.2.3). SignedCms can only add certificates to a decoded message, so an empty
/// degenerate SignedData is decoded first and the certificates added to it.
/// </summary>
internal static class CertsOnlyCms
{
    private const string SignedData = "1.2.840.113549.1.7.2";
    private const string Data = "1.2.840.113549.1.7.1";

    private static readonly byte[] Empty = BuildEmpty();

    public static byte[] Encode(IEnumerable<X509Certificate2> certificates)
    {
        var cms = new SignedCms();
        cms.Decode(Empty);
        foreach (var certificate in certificates)
        {
            cms.AddCertificate(certificate);
        }
        return cms.Encode();
    }

    private static byte[] BuildEmpty()
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
