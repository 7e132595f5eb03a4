using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Core.Trust;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Protocols.Est;

/// <summary>
/// EST client authentication (RFC 7030 §3.2.3, §3.3.2), per profile: a factory IDevID chaining to a registered
/// manufacturer anchor (optionally also in the device registry), an HTTP Basic account bound to the profile, or — for
/// /simplereenroll — the AmiPki certificate being renewed. Every failure is a 401 (no or unusable credentials) or a 403
/// (credentials fine, but not for this).
/// </summary>
internal sealed class EstAuthenticator
{
    public const string CredentialKind = "est-account";
    private const string FactoryTrustItem = "amipki.est.factory-trust";

    private readonly EstOptions _options;
    private readonly ManufacturerTrustAnchors _anchors;
    private readonly ICredentialStore _credentials;
    private readonly IDeviceRegistry _devices;
    private readonly ICertificateReader _certificates;
    private readonly CaHierarchy _authorities;
    private readonly TimeProvider _time;
    private readonly BasicSecretCache _secrets;

    public EstAuthenticator(EstOptions options, ManufacturerTrustAnchors anchors, ICredentialStore credentials, IDeviceRegistry devices,
        ICertificateReader certificates, CaHierarchy authorities, TimeProvider time)
    {
        _options = options;
        _anchors = anchors;
        _credentials = credentials;
        _devices = devices;
        _certificates = certificates;
        _authorities = authorities;
        _time = time;
        _secrets = new BasicSecretCache(time, TimeSpan.FromSeconds(options.BasicCacheSeconds));
    }

    /// <summary>/simpleenroll and /serverkeygen: a factory certificate or a Basic account allowed for <paramref name="profile"/>.</summary>
    public async Task<EstIdentity> AuthenticateEnrollAsync(HttpContext context, CertificateProfile profile, CancellationToken cancellationToken)
    {
        var policy = _options.PolicyFor(profile.Name);
        var basic = BasicCredentials.From(context.Request);
        var certificate = EstClientChain.Leaf(context);
        string? certificateProblem = null;
        if (certificate is not null && policy.AllowFactoryCertificate)
        {
            var trust = FactoryTrust(context, certificate);
            if (trust.IsTrusted)
            {
                return await FactoryIdentityAsync(certificate, trust.Manufacturer!, profile, policy, cancellationToken);
            }
            certificateProblem = trust.Reason;
        }
        if (basic is not null)
        {
            if (!policy.AllowBasic)
            {
                throw EstProblem.Forbidden($"profile {profile.Name} does not accept HTTP Basic accounts");
            }
            return await AccountIdentityAsync(basic, profile, cancellationToken);
        }
        if (certificate is not null)
        {
            throw EstProblem.Forbidden(policy.AllowFactoryCertificate
                ? $"client certificate refused: {certificateProblem}"
                : $"profile {profile.Name} does not accept factory certificates");
        }
        throw EstProblem.Unauthorized(policy.AllowBasic
            ? "authentication required: a factory (IDevID) client certificate or HTTP Basic credentials"
            : "authentication required: a factory (IDevID) client certificate");
    }

    /// <summary>
    /// /simplereenroll: the TLS client certificate must be one AmiPki issued and recorded, unexpired and unrevoked
    /// (RFC 7030 §3.3.2, §4.2.2). TLS proved possession of its key; comparing it byte for byte with our record proves
    /// it is ours without another signature check.
    /// </summary>
    public async Task<EstIdentity> AuthenticateRenewalAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var certificate = EstClientChain.Leaf(context)
            ?? throw EstProblem.Unauthorized("re-enrollment needs the current certificate as the TLS client certificate (RFC 7030 §4.2.2)");
        var issuer = _authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData));
        if (issuer is null)
        {
            throw EstProblem.Forbidden("the client certificate was not issued by this CA");
        }
        var serial = certificate.SerialNumber;
        var record = await _certificates.FindAsync(issuer.Name, serial, cancellationToken);
        if (record is not { State: CertificateState.Issued, Der: { } der } || !der.AsSpan().SequenceEqual(certificate.RawDataMemory.Span))
        {
            throw EstProblem.Forbidden($"the client certificate (serial {serial}) is not one this CA issued");
        }
        if (record.Revocation is not null)
        {
            throw EstProblem.Forbidden($"the client certificate (serial {serial}) is revoked");
        }
        var now = _time.GetUtcNow();
        if (now < record.NotBefore || now >= record.NotAfter)
        {
            throw EstProblem.Forbidden($"the client certificate (serial {serial}) is not valid now (valid {record.NotBefore:u} to {record.NotAfter:u})");
        }
        var device = record.SystemTitle is null && record.Dcu is null && record.ManufacturerLot is null && record.DeviceId is null
            ? null
            : new DeviceContext(record.SystemTitle, record.Dcu, record.ManufacturerLot, record.DeviceId);
        return new EstIdentity(new Requester($"cert:{issuer.Name}:{serial}", RequesterKind.CurrentCertificate, [record.Profile]), device,
            certificate, record.Profile);
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

    private async Task<EstIdentity> FactoryIdentityAsync(X509Certificate2 certificate, string manufacturer, CertificateProfile profile,
        EstProfilePolicy policy, CancellationToken cancellationToken)
    {
        var fingerprint = Convert.ToHexString(SHA256.HashData(certificate.RawDataMemory.Span));
        var requireRegistered = policy.RequireRegisteredDevice ?? profile.Subject == SubjectRule.DlmsSystemTitle;
        var device = await _devices.FindByIDevIdAsync(fingerprint, cancellationToken);
        if (device is null && requireRegistered)
        {
            throw EstProblem.Forbidden($"the device with IDevID SHA-256 {fingerprint} is not in the device registry");
        }
        var name = certificate.GetNameInfo(X509NameType.SimpleName, false);
        var requester = new Requester($"idevid:{manufacturer}:{(name.Length > 0 ? name : fingerprint[..16])}", RequesterKind.FactoryCertificate);
        if (device is null)
        {
            return new EstIdentity(requester, new DeviceContext(null, null, null, fingerprint));
        }
        return new EstIdentity(requester, new DeviceContext(device.SystemTitle, device.Dcu, device.ManufacturerLot, fingerprint),
            RequiredSystemTitle: profile.Subject == SubjectRule.DlmsSystemTitle ? device.SystemTitle : null);
    }

    private async Task<EstIdentity> AccountIdentityAsync(BasicCredentials basic, CertificateProfile profile, CancellationToken cancellationToken)
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
        if (!credential.Profiles.Contains(profile.Name, StringComparer.Ordinal))
        {
            throw EstProblem.Forbidden($"EST account {credential.Name} may not use profile {profile.Name}");
        }
        return new EstIdentity(new Requester($"account:{credential.Name}", RequesterKind.Credential, credential.Profiles),
            RequiredSubject: credential.Subject, OneTimeCredential: credential.OneTime ? credential.Name : null);
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
