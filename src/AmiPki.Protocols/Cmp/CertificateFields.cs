using System.Formats.Asn1;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The few fields of a DER certificate the CMP adapter needs, read straight from tbsCertificate (RFC 5280 §4.1) without
/// an X509Certificate2 (an OpenSSL decode and a handle per certificate, on the per-request path of kur and of clients).
/// </summary>
/// <param name="SerialHex">The serialNumber's content octets in upper-case hex, as storage keeps serials.</param>
internal sealed record CertificateFields(string SerialHex, byte[] IssuerDer, byte[] SubjectDer, DateTimeOffset NotBefore, DateTimeOffset NotAfter, byte[] SubjectPublicKeyInfo,
    byte[]? SubjectKeyIdentifier)
{
    private const string SubjectKeyIdentifierOid = "2.5.29.14";

    /// <summary>Throws <see cref="AsnContentException"/> for anything that is not a DER certificate.</summary>
    public static CertificateFields Read(ReadOnlyMemory<byte> certificateDer)
    {
        var tbs = new AsnReader(certificateDer, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        var explicit0 = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.PeekTag().HasSameClassAndValue(explicit0))
        {
            tbs.ReadEncodedValue(); // version
        }
        var serialHex = Convert.ToHexString(tbs.ReadIntegerBytes().Span);
        tbs.ReadEncodedValue(); // signature
        var issuer = tbs.ReadEncodedValue().ToArray();
        var validity = tbs.ReadSequence();
        var notBefore = ReadTime(validity);
        var notAfter = ReadTime(validity);
        var subject = tbs.ReadEncodedValue().ToArray();
        var spki = tbs.ReadEncodedValue().ToArray();
        byte[]? keyIdentifier = null;
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);
        while (tbs.HasData)
        {
            var tag = tbs.PeekTag();
            if (!tag.HasSameClassAndValue(extensionsTag))
            {
                tbs.ReadEncodedValue(); // issuerUniqueID, subjectUniqueID
                continue;
            }
            var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                if (extension.ReadObjectIdentifier() != SubjectKeyIdentifierOid)
                {
                    continue;
                }
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    extension.ReadBoolean();
                }
                // extnValue wraps SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING (RFC 5280 §4.2.1.2).
                keyIdentifier = new AsnReader(extension.ReadOctetString(), AsnEncodingRules.DER).ReadOctetString();
            }
        }
        return new CertificateFields(serialHex, issuer, subject, notBefore, notAfter, spki, keyIdentifier);
    }

    private static DateTimeOffset ReadTime(AsnReader validity) =>
        validity.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? validity.ReadUtcTime() : validity.ReadGeneralizedTime();
}
