using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// One CertStatus of a certConf body (RFC 4210 §5.3.18, RFC 9480 §2.10): the hash of the certificate as received,
/// its certReqId, whether the requester rejected it, and the optional hashAlg of pvno 3.
/// </summary>
public sealed record CertConfirmation(byte[] CertHash, int CertReqId, bool Rejected, string? HashAlgorithmOid)
{
    /// <summary>Reads CertConfirmContent ::= SEQUENCE OF CertStatus (at most 4 entries). Empty means "reject all".</summary>
    public static IReadOnlyList<CertConfirmation> ReadAll(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var content = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var result = new List<CertConfirmation>();
            while (content.HasData)
            {
                if (result.Count == 4)
                {
                    throw new CmpFormatException("more than 4 CertStatus entries");
                }
                var status = content.ReadSequence();
                var hash = status.ReadOctetString();
                if (!status.TryReadInt32(out var certReqId))
                {
                    throw new CmpFormatException("certReqId out of range");
                }
                var rejected = false;
                string? hashAlgorithm = null;
                if (status.HasData && status.PeekTag() == Asn1Tag.Sequence)
                {
                    // PKIStatusInfo: status 2 = rejection (RFC 4210 §5.2.3).
                    var info = status.ReadSequence();
                    rejected = !info.TryReadInt32(out var value) || value == 2;
                }
                if (status.HasData)
                {
                    var wrapper = status.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    hashAlgorithm = wrapper.ReadSequence().ReadObjectIdentifier();
                }
                status.ThrowIfNotEmpty();
                result.Add(new CertConfirmation(hash, certReqId, rejected, hashAlgorithm));
            }
            return result;
        }
        catch (AsnContentException e)
        {
            throw new CmpFormatException($"not a DER CertConfirmContent: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new CmpFormatException($"not a DER CertConfirmContent: {e.Message}", e);
        }
    }
}
