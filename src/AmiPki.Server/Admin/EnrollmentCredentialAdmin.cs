using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Validation;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Scep;

namespace AmiPki.Server.Admin;

/// <summary>
/// Creates, lists and deletes enrollment credentials — EST Basic accounts (RFC 7030 §3.2.3), CMP reference numbers with
/// shared secrets (RFC 4210 §5.1.3.1) and one-time SCEP challenge passwords (RFC 8894 §2.3) — for the CLI and the admin
/// API alike. Each is bound to profiles that must allow its protocol; only a hash (EST, SCEP) or an AES-GCM blob
/// (CMP, whose MAC needs the plain secret) is stored, and a generated secret is returned once. Every change is audited.
/// Refusals are <see cref="InvalidInputException"/>s naming the field (API names: name, profiles, subject, expiresIn, secret).
/// </summary>
public sealed class EnrollmentCredentialAdmin
{
    public const string EstAccountKind = "est-account";
    public const string CmpReferenceKind = CmpSecretProtector.CredentialKind;
    public const string ScepChallengeKind = ScepChallenge.CredentialKind;
    public const int MinimumSecretLength = 12;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    private readonly ICredentialStore _store;
    private readonly IAuditLog _audit;
    private readonly ProfileSet _profiles;
    private readonly TimeProvider _time;
    private readonly CmpSecretProtector? _cmpSecrets;

    /// <param name="cmpSecrets">Encrypts CMP secrets at rest; without it CMP references cannot be created (the reason is given).</param>
    public EnrollmentCredentialAdmin(ICredentialStore store, IAuditLog audit, ProfileSet profiles, TimeProvider time, CmpSecretProtector? cmpSecrets)
    {
        _store = store;
        _audit = audit;
        _profiles = profiles;
        _time = time;
        _cmpSecrets = cmpSecrets;
    }

    public static IReadOnlyList<string> Kinds { get; } = [EstAccountKind, CmpReferenceKind, ScepChallengeKind];

    /// <param name="lifetime">Null: the account does not expire.</param>
    /// <param name="secret">Null: a secret is generated and returned.</param>
    public async Task<CreatedCredential> AddEstAccountAsync(string name, IReadOnlyList<string> profiles, string? subject, TimeSpan? lifetime, bool oneTime,
        string? secret, string actor, CancellationToken cancellationToken)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 128 || name.Contains(':', StringComparison.Ordinal))
        {
            // RFC 7617 §2: the Basic user-id cannot contain a colon.
            throw new InvalidInputException("name", "the account name must be 1..128 characters without ':'");
        }
        RequireProfiles(profiles, EnrollmentProtocol.Est);
        var (plain, generated) = SecretOrGenerated(secret);
        var now = _time.GetUtcNow();
        var credential = new EnrollmentCredential(EstAccountKind, name, SecretHasher.Hash(plain), profiles.ToArray(), Blank(subject),
            lifetime is { } span ? now + CheckLifetime(span) : null, oneTime, null, now);
        await AddAsync(credential, actor, $"added EST account {name}", cancellationToken);
        return new CreatedCredential(credential, generated ? plain : null);
    }

    /// <param name="oneTime">Default for CMP: a reference number serves one first enrollment.</param>
    public async Task<CreatedCredential> AddCmpReferenceAsync(string reference, IReadOnlyList<string> profiles, string? subject, TimeSpan lifetime,
        bool oneTime, string? secret, string actor, CancellationToken cancellationToken)
    {
        reference = (reference ?? "").Trim();
        if (reference.Length is 0 or > 128)
        {
            throw new InvalidInputException("name", "the reference number must be 1..128 characters");
        }
        RequireProfiles(profiles, EnrollmentProtocol.Cmp);
        var protector = _cmpSecrets ?? throw new InvalidOperationException(
            $"set {CmpSecretProtector.KeyVariable} or {CmpSecretProtector.FallbackVariable}: CMP secrets are stored encrypted under it");
        var (plain, generated) = SecretOrGenerated(secret);
        var now = _time.GetUtcNow();
        var credential = new EnrollmentCredential(CmpReferenceKind, reference, protector.Protect(reference, plain), profiles.ToArray(), Blank(subject),
            now + CheckLifetime(lifetime), oneTime, null, now);
        await AddAsync(credential, actor, $"added CMP reference {reference}", cancellationToken);
        return new CreatedCredential(credential, generated ? plain : null);
    }

    /// <summary>A one-time challenge for one profile; the returned secret is the whole challenge password the client sends.</summary>
    public async Task<CreatedCredential> AddScepChallengeAsync(string profile, string? subject, TimeSpan lifetime, string actor,
        CancellationToken cancellationToken)
    {
        RequireProfiles([profile], EnrollmentProtocol.Scep, field: "profile");
        var (id, secret, password) = ScepChallenge.Generate();
        var now = _time.GetUtcNow();
        var credential = new EnrollmentCredential(ScepChallengeKind, id, SecretHasher.Hash(secret), [profile.Trim()], Blank(subject),
            now + CheckLifetime(lifetime), OneTime: true, UsedAt: null, now);
        await AddAsync(credential, actor, $"added SCEP challenge {id}", cancellationToken);
        return new CreatedCredential(credential, password);
    }

    public Task<IReadOnlyList<EnrollmentCredential>> ListAsync(string kind, CancellationToken cancellationToken) =>
        _store.ListAsync(RequireKind(kind), cancellationToken);

    /// <summary>Deletes a credential so it authorises nothing more; false if there was none. Audited either way.</summary>
    public async Task<bool> DeleteAsync(string kind, string name, string actor, CancellationToken cancellationToken)
    {
        RequireKind(kind);
        var deleted = await _store.DeleteAsync(kind, name, cancellationToken);
        await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "credential", actor, deleted ? "success" : "refused",
            deleted ? $"deleted {kind} {name}" : $"delete {kind} {name}: no such credential"), CancellationToken.None);
        return deleted;
    }

    private async Task AddAsync(EnrollmentCredential credential, string actor, string what, CancellationToken cancellationToken)
    {
        if (await _store.FindAsync(credential.Kind, credential.Name, cancellationToken) is not null)
        {
            throw new InvalidOperationException($"{credential.Kind} '{credential.Name}' exists already");
        }
        await _store.AddAsync(credential, cancellationToken);
        await _audit.AppendAsync(new AuditEvent(credential.CreatedAt, "credential", actor, "success",
            $"{what} profiles={string.Join(",", credential.Profiles)} subject={credential.Subject ?? "-"} expires={credential.ExpiresAt?.ToString("u") ?? "-"} oneTime={credential.OneTime}"),
            CancellationToken.None);
    }

    /// <summary>Every name is a loaded profile that allows <paramref name="protocol"/>; refusals name <paramref name="field"/> and list the known profiles.</summary>
    private void RequireProfiles(IReadOnlyList<string>? names, string protocol, string field = "profiles")
    {
        if (names is null || names.Count == 0 || names.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidInputException(field, "name at least one profile, and no empty name");
        }
        foreach (var name in names)
        {
            if (_profiles.Find(name.Trim()) is not { } profile)
            {
                throw new InvalidInputException(field,
                    $"no profile named '{name}' (known: {string.Join(", ", _profiles.All.Select(p => p.Name).Order(StringComparer.Ordinal))})");
            }
            if (!profile.AllowsProtocol(protocol))
            {
                throw new InvalidInputException(field, $"profile {profile.Name} does not allow {protocol} (protocols: {string.Join(", ", profile.Protocols)})");
            }
            // A credential no rule of the profile admits could never be used (default deny): say so now, not at enrollment.
            if (!EnrollmentAuthorizer.Admits(profile, protocol, RequesterKind.Credential))
            {
                throw new InvalidInputException(field, $"profile {profile.Name} admits no credential over {protocol} (see amipki profiles show {profile.Name})");
            }
        }
    }

    private static (string Secret, bool Generated) SecretOrGenerated(string? secret)
    {
        if (secret is null)
        {
            // 24 CSPRNG bytes (192 bits), base64url: typeable, and far beyond guessing.
            return (Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), true);
        }
        if (secret.Length < MinimumSecretLength)
        {
            throw new InvalidInputException("secret", $"the secret must be at least {MinimumSecretLength} characters");
        }
        return (secret, false);
    }

    private static TimeSpan CheckLifetime(TimeSpan lifetime) =>
        lifetime > TimeSpan.Zero && lifetime <= DurationText.Maximum ? lifetime : throw new InvalidInputException("expiresIn", $"expected {DurationText.Expected}");

    private static string RequireKind(string kind) => Kinds.Contains(kind, StringComparer.Ordinal)
        ? kind
        : throw new InvalidInputException("kind", $"unknown credential kind '{kind}' (expected {string.Join(", ", Kinds)})");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
