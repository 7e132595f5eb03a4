namespace AmiPki.Server.Api;

/// <summary>
/// The outcome of authenticating one admin API call: an identity, or the status (401 without a usable certificate,
/// 403 for a certificate that carries no admin role) and why.
/// </summary>
public sealed record AdminAuthentication(AdminIdentity? Identity, int Status, string? Problem)
{
    /// <summary>
    /// The <c>WWW-Authenticate</c> challenge of every admin API 401 (RFC 9110 §15.5.2 requires one). No registered HTTP
    /// scheme covers TLS client certificates, so it names the scheme <c>Certificate</c>: retry over HTTPS presenting an
    /// admin client certificate (profiles admin-auditor, admin-operator, admin-administrator); there is no header to send.
    /// </summary>
    public const string Challenge = "Certificate realm=\"AmiPki admin\"";

    public static AdminAuthentication Success(AdminIdentity identity) => new(identity, 200, null);

    public static AdminAuthentication Unauthenticated(string problem) => new(null, 401, problem);

    public static AdminAuthentication Forbidden(string problem) => new(null, 403, problem);
}
