namespace AmiPki.Core.Revocation;

/// <summary>What a relying party is told about an issuer + serial. Never Good for a serial never issued.</summary>
public enum CertificateStatus
{
    Good,
    Revoked,
    Unknown,
}
