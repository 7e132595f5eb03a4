using System.Formats.Asn1;

namespace AmiPki.Protocols.Scep;

/// <summary>IssuerAndSubject, the content of CertPoll (RFC 8894 §3.3.3): <c>SEQUENCE { issuer Name, subject Name }</c>.</summary>
public sealed record ScepIssuerAndSubject(byte[] IssuerDer, byte[] SubjectDer)
{
    public static ScepIssuerAndSubject Decode(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var issuer = sequence.ReadEncodedValue().ToArray();
            var subject = sequence.ReadEncodedValue().ToArray();
            sequence.ThrowIfNotEmpty();
            return new ScepIssuerAndSubject(issuer, subject);
        }
        catch (AsnContentException e)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"the IssuerAndSubject is not valid: {e.Message}");
        }
    }
}
