namespace AmiPki.Core.Issuance;

/// <summary>
/// Revokes the certificate a renewal replaced, as superseded (RFC 5280 §5.3.1), once the new one is durable; the
/// revocation service implements it so that CRLs and OCSP follow at once.
/// </summary>
public interface ISupersededCertificateRevoker
{
    Task RevokeSupersededAsync(string issuer, string serialHex, string actor, CancellationToken cancellationToken);
}
