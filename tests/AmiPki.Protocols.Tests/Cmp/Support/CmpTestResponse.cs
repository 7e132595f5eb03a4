using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Protocols.Cmp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Cmp.Support;

/// <summary>A decoded response with the parts tests check: body type, PKIFailureInfo bit, issued certificate, MAC validity.</summary>
public sealed class CmpTestResponse
{
    private CmpTestResponse(PkiMessage message) => Message = message;

    public PkiMessage Message { get; }

    public PkiBodyType BodyType => Message.BodyType;

    public static CmpTestResponse Decode(byte[] der) => new(PkiMessage.Decode(der));

    /// <summary>The failInfo bit of an error body, or null.</summary>
    public PkiFailureInfo? Failure
    {
        get
        {
            if (BodyType != PkiBodyType.Error)
            {
                return null;
            }
            var status = new AsnReader(Message.BodyContent, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            status.ReadInteger();
            if (status.HasData && status.PeekTag() == Asn1Tag.Sequence)
            {
                status.ReadSequence();
            }
            var bits = status.ReadBitString(out _);
            for (var bit = 0; bit < bits.Length * 8; bit++)
            {
                if ((bits[bit / 8] & (0x80 >> (bit % 8))) != 0)
                {
                    return (PkiFailureInfo)bit;
                }
            }
            return null;
        }
    }

    /// <summary>The PKIStatus of the first CertResponse of an ip/cp/kup.</summary>
    public int Status
    {
        get
        {
            var content = new AsnReader(Message.BodyContent, AsnEncodingRules.DER).ReadSequence();
            if (content.PeekTag().TagClass == TagClass.ContextSpecific)
            {
                content.ReadEncodedValue();
            }
            var response = content.ReadSequence().ReadSequence();
            response.ReadInteger();
            return (int)response.ReadSequence().ReadInteger();
        }
    }

    /// <summary>The certificate of an ip/cp/kup (its first CertResponse).</summary>
    public byte[] Certificate
    {
        get
        {
            var content = new AsnReader(Message.BodyContent, AsnEncodingRules.DER).ReadSequence();
            if (content.PeekTag().TagClass == TagClass.ContextSpecific)
            {
                content.ReadEncodedValue(); // caPubs
            }
            var response = content.ReadSequence().ReadSequence();
            response.ReadInteger();
            var status = response.ReadSequence();
            Assert.That((int)status.ReadInteger(), Is.EqualTo(0), "accepted");
            return response.ReadSequence().ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadEncodedValue().ToArray();
        }
    }

    public bool MacVerifies(string secret)
    {
        var mac = PasswordMacs.Parse(Message.Header.ProtectionAlgorithmDer);
        return CryptographicOperations.FixedTimeEquals(mac.Compute(Encoding.UTF8.GetBytes(secret), Message.ProtectedPart.Span), Message.Protection);
    }
}
