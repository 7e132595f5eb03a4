using AmiPki.Core.Credentials;

namespace AmiPki.Server.Api.Contracts;

/// <summary>Body of <c>POST /api/v1/credentials/est-accounts</c>.</summary>
/// <param name="ExpiresIn">e.g. 30d; absent: never expires.</param>
/// <param name="Secret">At least 12 characters; absent: generated and returned once.</param>
public sealed record NewEstAccount(string Name, IReadOnlyList<string> Profiles, string? Subject = null, string? ExpiresIn = null, bool OneTime = false,
    string? Secret = null);

/// <summary>Body of <c>POST /api/v1/credentials/cmp-references</c> (one-time unless <see cref="Reusable"/>; 7 days unless <see cref="ExpiresIn"/>).</summary>
public sealed record NewCmpReference(string Reference, IReadOnlyList<string> Profiles, string? Subject = null, string? ExpiresIn = null, bool Reusable = false,
    string? Secret = null);

/// <summary>Body of <c>POST /api/v1/credentials/scep-challenges</c> (one-time; 7 days unless <see cref="ExpiresIn"/>).</summary>
public sealed record NewScepChallenge(string Profile, string? Subject = null, string? ExpiresIn = null);

/// <summary>A credential as listed: never its secret. <see cref="Secret"/> is set only in the answer that created it, once.</summary>
public sealed record CredentialView(string Kind, string Name, IReadOnlyList<string> Profiles, string? Subject, DateTimeOffset? ExpiresAt, bool OneTime,
    DateTimeOffset? UsedAt, DateTimeOffset CreatedAt, string? Secret = null)
{
    public static CredentialView From(EnrollmentCredential c, string? secret = null) =>
        new(c.Kind, c.Name, c.Profiles, c.Subject, c.ExpiresAt, c.OneTime, c.UsedAt, c.CreatedAt, secret);
}
