namespace AmiPki.Core.Revocation;

/// <summary>
/// A revocation as RFC 5280 §5.3 records it: the reason, when the CA revoked it, and optionally when the key
/// is known or suspected to have become invalid (invalidityDate, §5.3.2).
/// </summary>
public sealed record RevocationInfo(RevocationReason Reason, DateTimeOffset RevokedAt, DateTimeOffset? InvalidityDate);
