using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Gets the CMP responder its certificate: a fresh P-256/P-384 key held in memory only and a certificate issued
/// through the ordinary pipeline (linted, recorded, audited) under <see cref="CmpOptions.ResponderProfile"/> on first
/// use, renewed when it is within a day of expiry (or, by the <c>operational-certificates</c> job, once it enters the
/// profile's renewal window). Without the profile, the CA key signs responses itself.
/// </summary>
public sealed class CmpResponderProvider : IDisposable, IOperationalCertificate, IOperationalCertificateSource
{
    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly CmpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile CmpResponder? _current;

    public CmpResponderProvider(IssuanceService issuance, CaHierarchy authorities, CmpOptions options, TimeProvider time, ILogger logger)
    {
        _issuance = issuance;
        _authorities = authorities;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public async ValueTask<CmpResponder> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && current.NotAfter > _time.GetUtcNow().AddDays(1))
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && again.NotAfter > _time.GetUtcNow().AddDays(1))
            {
                return again;
            }
            _current = await CreateAsync(cancellationToken);
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public string Name => "cmp-responder";

    /// <summary>The responder certificate's notAfter; null before the first CMP request issued it.</summary>
    public DateTimeOffset? NotAfter => _current?.NotAfter;

    public IReadOnlyList<IOperationalCertificate> OperationalCertificates => [this];

    /// <summary>Issues a new responder certificate once the current one is inside the profile's renewal window.</summary>
    public async Task<bool> RenewIfDueAsync(CancellationToken cancellationToken)
    {
        var profile = _issuance.Profiles.Find(_options.ResponderProfile);
        if (_current is not { } current || profile is null)
        {
            return false; // Not used yet: the first CMP request issues it.
        }
        var window = TimeSpan.FromDays(profile.RenewalWindowDays);
        if (current.NotAfter - _time.GetUtcNow() > window)
        {
            return false;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!ReferenceEquals(_current, current))
            {
                return false; // Renewed meanwhile by a request.
            }
            _current = await CreateAsync(cancellationToken);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CmpResponder> CreateAsync(CancellationToken cancellationToken)
    {
        var issuerName = _options.ResponderIssuer ?? _issuance.Profiles.Find(_options.DefaultProfile)?.Issuers[0] ?? _authorities.Names.First();
        var issuer = _authorities.Find(issuerName) ?? throw new InvalidOperationException($"no CA named '{issuerName}' for the CMP responder");
        var chain = _authorities.ChainOf(issuer.Name);
        var profile = _issuance.Profiles.Find(_options.ResponderProfile);
        if (profile is null || !profile.Protocols.Contains(EnrollmentProtocol.Internal, StringComparer.Ordinal)
            || !profile.Issuers.Contains(issuer.Name, StringComparer.Ordinal))
        {
            CmpLog.ResponderFallback(_logger, issuer.Name, $"no profile '{_options.ResponderProfile}' issued by {issuer.Name} over protocol internal");
            return CmpResponder.Authority(issuer, chain);
        }
        var p384 = issuer.Key.Algorithm is KeyAlgorithm.EcP384 or KeyAlgorithm.EcP521 && profile.KeyAlgorithms.Contains(KeyAlgorithm.EcP384);
        var key = ECDsa.Create(p384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddOrganizationName(_options.Organization);
            subject.AddCommonName($"AmiPki CMP Responder {issuer.Name}");
            var csr = new CertificateRequest(subject.Build(), key, p384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256).CreateSigningRequest();
            var request = new EnrollmentRequest(csr, profile.Name, Requester.Internal("amipki:cmp-responder"),
                EnrollmentProtocol.Internal)
            {
                IssuerName = issuer.Name,
            };
            var issued = await _issuance.IssueAsync(request, cancellationToken);
            CmpLog.ResponderIssued(_logger, issued.SerialHex, issuer.Name);
            return CmpResponder.Delegated(issued.Der, key, chain);
        }
        catch (IssuanceRefusal refusal)
        {
            key.Dispose();
            CmpLog.ResponderFallback(_logger, issuer.Name, refusal.Reason);
            return CmpResponder.Authority(issuer, chain);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public void Dispose() => _gate.Dispose();
}
