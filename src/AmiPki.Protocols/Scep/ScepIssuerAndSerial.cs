using System.Formats.Asn1;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// IssuerAndSerialNumber (RFC 5652 §10.2.4), the content of GetCert and GetCRL (RFC 8894 §3.3.4, §3.3.5):
/// <c>SEQUENCE { issuer Name, serialNumber INTEGER }</c>.
/// </summary>
public sealed record ScepIssuerAndSerial(byte[] IssuerDer, string SerialHex)
{
    public static ScepIssuerAndSerial Decode(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var issuer = sequence.ReadEncodedValue().ToArray();
            var serial = sequence.ReadIntegerBytes().ToArray();
            sequence.ThrowIfNotEmpty();
            return new ScepIssuerAndSerial(issuer, Convert.ToHexString(serial));
        }
        catch (AsnContentException e)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"the IssuerAndSerialNumber is not valid: {e.Message}");
        }
    }
}
