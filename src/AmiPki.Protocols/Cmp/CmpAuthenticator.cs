using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Verifies a request's protection (RFC 4210 §5.1.3, RFC 9483 §3.2) and names its sender: PasswordBasedMac or PBMAC1
/// under the secret of the reference in senderKID, or a signature by the first extraCert, which must be a current,
/// unrevoked certificate AmiPki issued (the core's <see cref="CurrentCertificateVerifier"/>). Throws <see cref="CmpRejection"/> with the matching PKIFailureInfo.
/// </summary>
public sealed class CmpAuthenticator
{
    private const int MaxReferenceBytes = 128;

    private readonly ICredentialStore _credentials;
    private readonly CurrentCertificateVerifier _current;
    private readonly CmpSecretProtector? _secrets;

    public CmpAuthenticator(ICredentialStore credentials, CurrentCertificateVerifier current, CmpSecretProtector? secrets)
    {
        _credentials = credentials;
        _current = current;
        _secrets = secrets;
    }

    public Task<CmpSender> AuthenticateAsync(PkiMessage message, CancellationToken cancellationToken)
    {
        var oid = message.Header.ProtectionAlgorithmOid;
        if (oid is null || message.Protection is null)
        {
            throw new CmpRejection(PkiFailureInfo.BadMessageCheck, "the request is not protected (RFC 9483 §3.2)");
        }
        return PasswordMacs.IsPasswordBased(oid) ? AuthenticateMacAsync(message, cancellationToken) : AuthenticateSignatureAsync(message, oid, cancellationToken);
    }

    private async Task<CmpSender> AuthenticateMacAsync(PkiMessage message, CancellationToken cancellationToken)
    {
        // Parameters are bounded before anything is hashed (iterationCount 100..100000, salt >= 8 bytes).
        var mac = PasswordMacs.Parse(message.Header.ProtectionAlgorithmDer);
        if (message.Header.SenderKid is not { Length: > 0 and <= MaxReferenceBytes } kid)
        {
            throw new CmpRejection(PkiFailureInfo.SignerNotTrusted, "MAC protection needs the reference number in senderKID (RFC 9483 §3.2)");
        }
        string reference;
        try
        {
            reference = new UTF8Encoding(false, true).GetString(kid);
        }
        catch (DecoderFallbackException)
        {
            throw new CmpRejection(PkiFailureInfo.SignerNotTrusted, "unknown reference number");
        }
        var credential = await _credentials.FindAsync(CmpSecretProtector.CredentialKind, reference, cancellationToken)
            ?? throw new CmpRejection(PkiFailureInfo.SignerNotTrusted, "unknown reference number");
        if (_secrets is null)
        {
            throw new CmpRejection(PkiFailureInfo.SystemUnavail, "shared-secret credentials are unavailable on this server");
        }
        var secret = _secrets.Unprotect(credential.Name, credential.SecretHash)
            ?? throw new CmpRejection(PkiFailureInfo.SystemUnavail, "the stored secret of this reference cannot be read on this server");
        var expected = mac.Compute(secret, message.ProtectedPart.Span);
        if (!CryptographicOperations.FixedTimeEquals(expected, message.Protection))
        {
            throw new CmpRejection(PkiFailureInfo.BadMessageCheck, "the MAC does not verify: wrong secret or altered message (RFC 4210 §5.1.3.1)");
        }
        return CmpSender.ForCredential(credential, mac, secret, kid);
    }

    private async Task<CmpSender> AuthenticateSignatureAsync(PkiMessage message, string oid, CancellationToken cancellationToken)
    {
        if (!SignatureAlgorithms.TryParse(oid, out _, out _))
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, $"protection algorithm {oid} is not supported (ECDSA or RSA with SHA-2, PBM, PBMAC1)");
        }
        if (message.ExtraCerts.Count == 0)
        {
            throw new CmpRejection(PkiFailureInfo.SignerNotTrusted, "a signed request must carry the signer's certificate first in extraCerts (RFC 9483 §3.3)");
        }
        CertificateFields fields;
        try
        {
            // Read from its DER, no X509Certificate2 (an OpenSSL decode per request): what this path needs is its
            // names, validity, key and bytes; that it is ours is proven below by byte equality with our record.
            fields = CertificateFields.Read(message.ExtraCerts[0]);
        }
        catch (AsnContentException)
        {
            throw new CmpRejection(PkiFailureInfo.BadDataFormat, "the first extraCert is not a DER certificate");
        }
        CurrentCertificate current;
        try
        {
            current = await _current.VerifyAsync(fields, cancellationToken);
        }
        catch (CurrentCertificateRefusal refusal)
        {
            throw new CmpRejection(refusal.Problem == CurrentCertificateProblem.Revoked ? PkiFailureInfo.CertRevoked : PkiFailureInfo.SignerNotTrusted,
                $"the signer's certificate is refused: {refusal.Reason}");
        }
        // The key is read from the certificate's DER (no PublicKey object, no .NET key import: CmpSignatures.KeyOf).
        if (CmpSignatures.KeyOf(fields.SubjectPublicKeyInfo) is not { } signerKey
            || !signerKey.VerifyWithPublicKey(message.ProtectedPart.Span, oid, message.Protection))
        {
            throw new CmpRejection(PkiFailureInfo.BadMessageCheck, "the signature does not verify with the signer's certificate (RFC 4210 §5.1.3.3)");
        }
        return CmpSender.ForCertificate(fields, current.Record);
    }
}
