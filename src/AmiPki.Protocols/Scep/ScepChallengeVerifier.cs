using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// Checks a CSR's challengePassword (RFC 8894 §2.3): a profile's static challenge from configuration (compared in constant
/// time), or a one-time challenge from <c>amipki scep-challenge add</c> (unexpired, unused, PBKDF2-verified; consumed by
/// the core only once the request passed every check). Any failure is badRequest.
/// </summary>
internal sealed class ScepChallengeVerifier
{
    /// <summary>The credential kind of a configured static challenge (never stored).</summary>
    public const string StaticCredentialKind = "scep-static-challenge";

    private readonly ICredentialStore _credentials;
    private readonly TimeProvider _time;
    private readonly (string Profile, byte[] Hash)[] _static;

    public ScepChallengeVerifier(ScepOptions options, ICredentialStore credentials, TimeProvider time)
    {
        _credentials = credentials;
        _time = time;
        _static = options.StaticChallenges
            .Where(pair => !string.IsNullOrEmpty(pair.Value))
            .Select(pair => (pair.Key, SHA256.HashData(Encoding.UTF8.GetBytes(pair.Value))))
            .ToArray();
    }

    public async Task<ScepIdentity> VerifyAsync(string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, "the CSR has no challengePassword (RFC 8894 §2.3)");
        }
        if (ScepChallenge.TryParse(password, out var id, out var secret))
        {
            var credential = await _credentials.FindAsync(ScepChallenge.CredentialKind, id, cancellationToken);
            if (credential is not null && SecretHasher.Verify(secret, credential.SecretHash))
            {
                if (credential.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
                {
                    throw new ScepFailure(ScepFailInfo.BadRequest, $"challenge {id} has expired");
                }
                if (credential.OneTime && credential.UsedAt is not null)
                {
                    throw new ScepFailure(ScepFailInfo.BadRequest, $"challenge {id} has already been used");
                }
                if (credential.Profiles.Count == 0)
                {
                    throw new ScepFailure(ScepFailInfo.BadRequest, $"challenge {id} names no profile");
                }
                return new ScepIdentity(Requester.ForCredential(credential, $"challenge:{id}"), credential.Profiles[0]);
            }
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        string? match = null;
        foreach (var (profile, hash) in _static)
        {
            // Every entry is compared, so the time taken does not say which one matched.
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                match ??= profile;
            }
        }
        // A static challenge is a credential bound to its profile by configuration: the same evidence as a stored one.
        return match is not null
            ? new ScepIdentity(Requester.ForCredential(new EnrollmentCredential(StaticCredentialKind, match, "", [match], null, null, false, null, DateTimeOffset.MinValue),
                $"static:{match}"), match)
            : throw new ScepFailure(ScepFailInfo.BadRequest, "the challenge password is not valid");
    }
}
