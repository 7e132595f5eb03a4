namespace AmiPki.Server.Api;

/// <summary>
/// The outcome of authenticating one admin API call: an identity, or the status (401 without a usable certificate,
/// 403 for a certificate that carries no admin role) and why.
/// </summary>
public sealed record AdminAuthentication(AdminIdentity? Identity, int Status, string? Problem)
{
    public static AdminAuthentication Success(AdminIdentity identity) => new(identity, 200, null);

    public static AdminAuthentication Unauthenticated(string problem) => new(null, 401, problem);

    public static AdminAuthentication Forbidden(string problem) => new(null, 403, problem);
}
