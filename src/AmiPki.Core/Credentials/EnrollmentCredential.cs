namespace AmiPki.Core.Credentials;

/// <summary>
/// A secret that authorises enrollment: an EST Basic account, a CMP reference number + secret, a SCEP challenge.
/// Only a hash of the secret is stored (<see cref="SecretHasher"/>).
/// </summary>
/// <param name="Kind"><c>est-account</c>, <c>cmp-reference</c> or <c>scep-challenge</c>.</param>
/// <param name="Name">The account name, CMP reference (senderKID) or challenge id.</param>
/// <param name="Profiles">Profiles it may be used with.</param>
/// <param name="Subject">If set, the only subject it may enroll.</param>
public sealed record EnrollmentCredential(
    string Kind,
    string Name,
    string SecretHash,
    IReadOnlyList<string> Profiles,
    string? Subject,
    DateTimeOffset? ExpiresAt,
    bool OneTime,
    DateTimeOffset? UsedAt,
    DateTimeOffset CreatedAt);
