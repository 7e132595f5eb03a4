using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Trust;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Protocols.Est;

/// <summary>
/// EST client authentication (RFC 7030 §3.2.3, §3.3.2): names the requester and its evidence — a factory IDevID
/// chaining to a registered manufacturer anchor (with the device registry's record of it, if any), an HTTP Basic
/// account, or for /simplereenroll the current AmiPki certificate. Whether that evidence may obtain the profile is the
/// core's decision (<see cref="EnrollmentAuthorizer"/>, from the profile's rules), not this class's. Failures here are
/// 401 (no or unusable credentials) or 403 (a certificate that proves nothing here).
/// </summary>
internal sealed class EstAuthenticator
{
    public const string CredentialKind = "est-account";
    private const string FactoryTrustItem = "amipki.est.factory-trust";

    private readonly ManufacturerTrustAnchors _anchors;
    private readonly ICredentialStore _credentials;
    private readonly IDeviceRegistry _devices;
    private readonly CurrentCertificateVerifier _current;
    private readonly TimeProvider _time;
    private readonly BasicSecretCache _secrets;

    public EstAuthenticator(EstOptions options, ManufacturerTrustAnchors anchors, ICredentialStore credentials, IDeviceRegistry devices,
        CurrentCertificateVerifier current, TimeProvider time)
    {
        _anchors = anchors;
        _credentials = credentials;
        _devices = devices;
        _current = current;
        _time = time;
        _secrets = new BasicSecretCache(time, TimeSpan.FromSeconds(options.BasicCacheSeconds));
    }

    /// <summary>
    /// /simpleenroll and /serverkeygen: the factory certificate, or the Basic account. When a client offers both, the
    /// one the profile admits over EST is used (a device behind an account-holding gateway), the factory certificate first.
    /// </summary>
    public async Task<EstIdentity> AuthenticateEnrollAsync(HttpContext context, CertificateProfile profile, CancellationToken cancellationToken)
    {
        var basic = BasicCredentials.From(context.Request);
        var certificate = EstClientChain.Leaf(context);
        var preferBasic = basic is not null && !EnrollmentAuthorizer.Admits(profile, EnrollmentProtocol.Est, RequesterKind.FactoryCertificate);
        string? certificateProblem = null;
        if (certificate is not null && !preferBasic)
        {
            var trust = FactoryTrust(context, certificate);
            if (trust.IsTrusted)
            {
                return await FactoryIdentityAsync(certificate, trust.Manufacturer!, cancellationToken);
            }
            certificateProblem = trust.Reason;
        }
        if (basic is not null)
        {
            return await AccountIdentityAsync(basic, cancellationToken);
        }
        if (certificate is not null)
        {
            throw EstProblem.Forbidden($"client certificate refused: {certificateProblem}");
        }
        throw EstProblem.Unauthorized("authentication required: a factory (IDevID) client certificate or HTTP Basic credentials");
    }

    /// <summary>/simplereenroll: the TLS client certificate must be a current AmiPki certificate (RFC 7030 §3.3.2, §4.2.2).</summary>
    public async Task<EstIdentity> AuthenticateRenewalAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var certificate = EstClientChain.Leaf(context)
            ?? throw EstProblem.Unauthorized("re-enrollment needs the current certificate as the TLS client certificate (RFC 7030 §4.2.2)");
        try
        {
            var current = await _current.VerifyAsync(certificate.RawData, cancellationToken);
            return new EstIdentity(Requester.ForCurrentCertificate(current), current.Record.Profile);
        }
        catch (CurrentCertificateRefusal refusal)
        {
            throw EstProblem.Forbidden($"client certificate refused for re-enrollment: {refusal.Reason}");
        }
    }

    /// <summary>
    /// Chain validation once per TLS connection: the client certificate cannot change within a connection, so a
    /// keep-alive client enrolling many times pays for path building once (the result is kept in the connection's items).
    /// </summary>
    private TrustResult FactoryTrust(HttpContext context, X509Certificate2 certificate)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(FactoryTrustItem, out var cached) && cached is (X509Certificate2 seen, TrustResult result)
            && ReferenceEquals(seen, certificate))
        {
            return result;
        }
        // The TLS layer usually judged the path already, against the same anchors (ServerTlsEndpoint): not built twice.
        var trust = EstClientChain.TrustFromHandshake(context, certificate)
                    ?? _anchors.Validate(certificate, EstClientChain.Intermediates(context), _time.GetUtcNow());
        if (items is not null)
        {
            items[FactoryTrustItem] = (certificate, trust);
        }
        return trust;
    }

    private async Task<EstIdentity> FactoryIdentityAsync(X509Certificate2 certificate, string manufacturer, CancellationToken cancellationToken)
    {
        var fingerprint = Convert.ToHexString(SHA256.HashData(certificate.RawDataMemory.Span));
        var device = await _devices.FindByIDevIdAsync(fingerprint, cancellationToken);
        var name = certificate.GetNameInfo(X509NameType.SimpleName, false);
        return new EstIdentity(Requester.ForFactoryCertificate(new FactoryIdentity(manufacturer, fingerprint, name, device)));
    }

    /// <summary>The account's secret verifies, and it is usable now; which profiles it may obtain is the core's to say.</summary>
    private async Task<EstIdentity> AccountIdentityAsync(BasicCredentials basic, CancellationToken cancellationToken)
    {
        var credential = await _credentials.FindAsync(CredentialKind, basic.Name, cancellationToken);
        if (credential is null || !VerifySecret(basic, credential))
        {
            throw EstProblem.Unauthorized("unknown EST account or wrong secret");
        }
        if (credential.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            throw EstProblem.Unauthorized($"EST account {credential.Name} expired at {expires:u}");
        }
        if (credential.OneTime && credential.UsedAt is not null)
        {
            throw EstProblem.Unauthorized($"EST account {credential.Name} was for one use and has been used");
        }
        return new EstIdentity(Requester.ForCredential(credential, $"account:{credential.Name}"));
    }

    private bool VerifySecret(BasicCredentials basic, EnrollmentCredential credential)
    {
        try
        {
            return _secrets.Verify(basic.Name, basic.Secret, credential.SecretHash);
        }
        catch (FormatException)
        {
            // A corrupt stored hash authenticates nobody.
            return false;
        }
    }
}
