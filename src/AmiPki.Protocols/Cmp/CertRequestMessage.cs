using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// One CertReqMsg of an ir, cr or kur body (RFC 4211 §3): the CertRequest (kept as DER, which POPOSigningKey signs
/// when poposkInput is absent, RFC 4211 §4.1), its template, the oldCertID control and the proof of possession.
/// </summary>
public sealed class CertRequestMessage
{
    /// <summary>RFC 9483 §4.1.1: one request per message.</summary>
    public const int MaxRequests = 1;

    private CertRequestMessage(int certReqId, ReadOnlyMemory<byte> certRequestDer, CertTemplateFields template)
    {
        CertReqId = certReqId;
        CertRequestDer = certRequestDer;
        Template = template;
    }

    public int CertReqId { get; }

    public ReadOnlyMemory<byte> CertRequestDer { get; }

    public CertTemplateFields Template { get; }

    /// <summary>The oldCertID control (RFC 4211 §6.5): issuer Name DER (directoryName) and serial hex.</summary>
    public (byte[] IssuerDer, string SerialHex)? OldCertId { get; private set; }

    /// <summary>POP kind: the ProofOfPossession CHOICE tag (0 raVerified, 1 signature, 2 keyEncipherment, 3 keyAgreement), or null.</summary>
    public int? ProofKind { get; private set; }

    /// <summary>POPOSigningKey carried poposkInput (only allowed when the template has no subject or key; not supported here).</summary>
    public bool HasPoposkInput { get; private set; }

    public string? PopAlgorithmOid { get; private set; }

    public byte[]? PopSignature { get; private set; }

    /// <summary>Reads CertReqMessages ::= SEQUENCE OF CertReqMsg (RFC 4211 §3).</summary>
    public static IReadOnlyList<CertRequestMessage> ReadAll(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var messages = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var result = new List<CertRequestMessage>();
            while (messages.HasData)
            {
                if (result.Count == MaxRequests)
                {
                    throw new CmpFormatException($"more than {MaxRequests} CertReqMsg in one message (RFC 9483 §4.1.1)");
                }
                result.Add(Read(messages.ReadSequence()));
            }
            if (result.Count == 0)
            {
                throw new CmpFormatException("empty CertReqMessages");
            }
            return result;
        }
        catch (AsnContentException e)
        {
            throw new CmpFormatException($"not a DER CertReqMessages: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new CmpFormatException($"not a DER CertReqMessages: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads a CertRequest kept as DER (what an approved request recorded) back into its template: wrapped as a
    /// one-element CertReqMessages without a proof (possession was verified when it was received).
    /// </summary>
    public static CertRequestMessage ReadRecorded(ReadOnlyMemory<byte> certRequestDer)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(certRequestDer.Span);
            }
        }
        return ReadAll(writer.Encode())[0];
    }

    private static CertRequestMessage Read(AsnReader message)
    {
        var requestDer = message.PeekEncodedValue();
        var request = message.ReadSequence();
        if (!request.TryReadInt32(out var certReqId))
        {
            throw new CmpFormatException("certReqId out of range");
        }
        var template = CertTemplateFields.Read(request.ReadSequence());
        var result = new CertRequestMessage(certReqId, requestDer, template);
        if (request.HasData)
        {
            result.ReadControls(request.ReadSequence());
        }
        request.ThrowIfNotEmpty();
        if (message.HasData && message.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            result.ReadProof(message);
        }
        while (message.HasData)
        {
            message.ReadEncodedValue(); // regInfo (RFC 4211 §7): not used
        }
        return result;
    }

    private void ReadControls(AsnReader controls)
    {
        var count = 0;
        while (controls.HasData)
        {
            if (++count > 16)
            {
                throw new CmpFormatException("more than 16 controls");
            }
            var control = controls.ReadSequence();
            var type = control.ReadObjectIdentifier();
            if (type == CmpOids.OldCertId)
            {
                // CertId ::= SEQUENCE { issuer GeneralName, serialNumber INTEGER }; directoryName is [4] (explicit: Name is a CHOICE).
                var certId = control.ReadSequence();
                var directoryName = new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true);
                if (certId.PeekTag() != directoryName)
                {
                    throw new CmpFormatException("oldCertID issuer must be a directoryName");
                }
                var wrapper = certId.ReadSequence(directoryName);
                var issuer = wrapper.ReadEncodedValue().ToArray();
                wrapper.ThrowIfNotEmpty();
                var serial = Convert.ToHexString(certId.ReadIntegerBytes().Span);
                certId.ThrowIfNotEmpty();
                OldCertId = (issuer, serial);
            }
            else
            {
                control.ReadEncodedValue();
            }
            control.ThrowIfNotEmpty();
        }
    }

    private void ReadProof(AsnReader message)
    {
        var tag = message.PeekTag();
        ProofKind = tag.TagValue;
        if (tag.TagValue != 1)
        {
            message.ReadEncodedValue();
            return;
        }
        // POPOSigningKey ::= SEQUENCE { poposkInput [0] OPTIONAL, algorithmIdentifier, signature BIT STRING } (IMPLICIT [1]).
        var signing = message.ReadSequence(tag);
        if (signing.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            HasPoposkInput = true;
            signing.ReadEncodedValue();
        }
        var algorithm = signing.ReadSequence();
        PopAlgorithmOid = algorithm.ReadObjectIdentifier();
        PopSignature = signing.ReadBitString(out var unused);
        signing.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw new CmpFormatException("the POP signature BIT STRING has unused bits");
        }
    }
}
