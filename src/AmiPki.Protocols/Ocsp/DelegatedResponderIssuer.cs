using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Gets each issuer a delegated OCSP responder (RFC 6960 §4.2.2.2): a key and a certificate issued through the ordinary
/// pipeline (<see cref="IssuanceService"/>, so it is linted, recorded and audited like any other) under the
/// <c>ocsp-responder</c> profile (EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck, protocol internal), kept in storage as
/// operational identity <c>ocsp-responder/ISSUER</c> (the key encrypted under the key passphrase) so every node and every
/// restart answers with the same responder certificate. Issued on first use only when none is stored (compare-and-set; a
/// node losing the race adopts the winner's), renewed by <see cref="RenewIfDueAsync"/> (the scheduler); nodes re-read the
/// stored version every <see cref="OperationalIdentityKeeper{T}.RefreshInterval"/>. When the profile or the issuance is
/// unavailable, the CA key answers itself, which RFC 6960 also allows. Without storage or a key passphrase the responder
/// key lives in memory only.
/// </summary>
public sealed class DelegatedResponderIssuer : IDisposable
{
    /// <summary>Operational identities are named this, then the issuer's name.</summary>
    public const string IdentityPrefix = "ocsp-responder/";

    private readonly IssuanceService? _issuance;
    private readonly OcspResponderOptions _options;
    private readonly ILogger _logger;
    private readonly IOperationalIdentityStore? _store;
    private readonly OperationalKeyProtector? _protector;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _refreshInterval;
    private readonly ConcurrentDictionary<string, OperationalIdentityKeeper<OcspSigner>> _keepers = new(StringComparer.Ordinal);

    public DelegatedResponderIssuer(IssuanceService? issuance, OcspResponderOptions options, ILogger logger,
        IOperationalIdentityStore? store = null, OperationalKeyProtector? protector = null, TimeProvider? time = null, TimeSpan? refreshInterval = null)
    {
        _issuance = issuance;
        _options = options;
        _logger = logger;
        _store = store;
        _protector = protector;
        _time = time ?? TimeProvider.System;
        _refreshInterval = refreshInterval;
    }

    /// <summary>The issuer's responder: cached, else stored, else issued and stored; on any failure the CA key (logged).</summary>
    public async Task<OcspSigner> CreateAsync(OcspIssuer issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        try
        {
            return await CurrentAsync(issuer, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fallback(issuer, $"reading or storing the responder identity failed: {e.Message}");
        }
    }

    /// <summary>Like <see cref="CreateAsync"/>, but a storage failure throws (a node keeps its current responder then).</summary>
    public Task<OcspSigner> CurrentAsync(OcspIssuer issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return Keeper(issuer).GetAsync(s => !s.IsDelegated || s.NotAfter > _time.GetUtcNow(), ct => IssueAsync(issuer, ct), cancellationToken);
    }

    /// <summary>Issues and stores the issuer's next responder if the stored one is <paramref name="due"/>; true if this call did.</summary>
    public Task<bool> RenewIfDueAsync(OcspIssuer issuer, Func<OcspSigner, bool> due, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return Keeper(issuer).RenewAsync(due, ct => IssueAsync(issuer, ct), cancellationToken);
    }

    private OperationalIdentityKeeper<OcspSigner> Keeper(OcspIssuer issuer) => _keepers.GetOrAdd(issuer.Name, _ =>
        new OperationalIdentityKeeper<OcspSigner>(IdentityPrefix + issuer.Name, _store, _protector, _time, keys => Decode(issuer, keys), _refreshInterval));

    private static OcspSigner? Decode(OcspIssuer issuer, OperationalKeys keys)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(keys.CertificateDer);
        return keys.Key is ECDsa key && certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.Authority.Certificate.SubjectName.RawData)
            ? OcspSigner.Delegated(keys.CertificateDer, key)
            : null;
    }

    private async Task<OperationalIssue<OcspSigner>> IssueAsync(OcspIssuer issuer, CancellationToken cancellationToken)
    {
        var profile = _issuance?.Profiles.Find(_options.ResponderProfile);
        if (_issuance is null || profile is null)
        {
            return InMemory(issuer, $"no profile '{_options.ResponderProfile}'");
        }
        if (!profile.Issuers.Contains(issuer.Name, StringComparer.Ordinal) || !profile.Protocols.Contains(EnrollmentProtocol.Internal, StringComparer.Ordinal))
        {
            return InMemory(issuer, $"profile {profile.Name} is not issued by {issuer.Name} over protocol internal");
        }
        // The responder's curve follows its CA's (DLMS Suite 1 P-256, Suite 2 P-384) when the profile allows it.
        var algorithm = issuer.Authority.Key.Algorithm is KeyAlgorithm.EcP384 or KeyAlgorithm.EcP521 && profile.KeyAlgorithms.Contains(KeyAlgorithm.EcP384)
            ? KeyAlgorithm.EcP384
            : KeyAlgorithm.EcP256;
        if (!profile.KeyAlgorithms.Contains(algorithm))
        {
            return InMemory(issuer, $"profile {profile.Name} allows neither P-256 nor P-384");
        }
        var key = ECDsa.Create(algorithm == KeyAlgorithm.EcP384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        try
        {
            var hash = algorithm == KeyAlgorithm.EcP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
            var subject = new X500DistinguishedNameBuilder();
            subject.AddOrganizationName(_options.Organization);
            subject.AddCommonName($"AmiPki OCSP Responder {issuer.Name}");
            var csr = new CertificateRequest(subject.Build(), key, hash).CreateSigningRequest();
            var request = new EnrollmentRequest(csr, profile.Name, Requester.Internal("amipki:ocsp-responder"),
                EnrollmentProtocol.Internal)
            {
                IssuerName = issuer.Name,
            };
            var issued = await _issuance.IssueAsync(request, cancellationToken);
            return OperationalIssue<OcspSigner>.Issued(key, issued.Der, issued.NotAfter);
        }
        catch (IssuanceRefusal refusal)
        {
            key.Dispose();
            return InMemory(issuer, $"issuance refused: {refusal.Reason}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A storage or key failure must not take the responder down: the CA key can still answer.
            key.Dispose();
            return InMemory(issuer, $"issuing the responder certificate failed: {e.Message}");
        }
    }

    private OperationalIssue<OcspSigner> InMemory(OcspIssuer issuer, string reason) => OperationalIssue<OcspSigner>.InMemory(Fallback(issuer, reason));

    private OcspSigner Fallback(OcspIssuer issuer, string reason)
    {
        OcspLog.FallbackToCaKey(_logger, issuer.Name, reason);
        return OcspSigner.Authority(issuer.Authority);
    }

    public void Dispose()
    {
        foreach (var keeper in _keepers.Values)
        {
            keeper.Dispose();
        }
    }
}
