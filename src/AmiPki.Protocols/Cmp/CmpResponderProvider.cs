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
/// Gets the CMP responder its certificate: a P-256/P-384 key and a certificate issued through the ordinary pipeline
/// (linted, recorded, audited) under <see cref="CmpOptions.ResponderProfile"/>, kept in storage as operational identity
/// <see cref="IdentityName"/> (the key encrypted under the key passphrase) so a restart or another node presents the same
/// responder certificate and a client pinning it (<c>openssl cmp -srvcert</c>) keeps working. It is issued on first use
/// only when none is stored (compare-and-set: of nodes starting at once one stores it, the others adopt it), replaced when
/// expired, and otherwise renewed only by the <c>operational-certificates</c> job once it enters the profile's renewal
/// window. Nodes re-read the stored version every <see cref="OperationalIdentityKeeper{T}.RefreshInterval"/>. Without the
/// profile, the CA key signs responses itself; without storage or a key passphrase, the responder lives in memory only.
/// </summary>
public sealed class CmpResponderProvider : IDisposable, IOperationalCertificate, IOperationalCertificateSource
{
    /// <summary>The operational identity's name in storage.</summary>
    public const string IdentityName = "cmp-responder";

    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly CmpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OperationalIdentityKeeper<CmpResponder> _keeper;

    public CmpResponderProvider(IssuanceService issuance, CaHierarchy authorities, CmpOptions options, TimeProvider time, ILogger logger,
        IOperationalIdentityStore? store = null, OperationalKeyProtector? protector = null, TimeSpan? refreshInterval = null)
    {
        _issuance = issuance;
        _authorities = authorities;
        _options = options;
        _time = time;
        _logger = logger;
        _keeper = new OperationalIdentityKeeper<CmpResponder>(IdentityName, store, protector, time, Decode, refreshInterval);
        if (!_keeper.IsDurable)
        {
            CmpLog.ResponderNotDurable(logger);
        }
    }

    /// <summary>The responder: cached, else stored, else issued and stored (an expired one is replaced here too).</summary>
    public ValueTask<CmpResponder> GetAsync(CancellationToken cancellationToken) =>
        new(_keeper.GetAsync(r => r.NotAfter > _time.GetUtcNow(), CreateAsync, cancellationToken));

    public string Name => "cmp-responder";

    /// <summary>The responder certificate's notAfter; null before the first CMP request issued or loaded it.</summary>
    public DateTimeOffset? NotAfter => _keeper.Current?.NotAfter;

    public IReadOnlyList<IOperationalCertificate> OperationalCertificates => [this];

    /// <summary>
    /// Issues and stores a new responder certificate once the stored one is inside the profile's renewal window (the
    /// replaced one stays in the record as the previous). Re-reads the stored version first, so a node that did not renew
    /// picks up the new one here too.
    /// </summary>
    public async Task<bool> RenewIfDueAsync(CancellationToken cancellationToken)
    {
        var profile = _issuance.Profiles.Find(_options.ResponderProfile);
        if (profile is null)
        {
            return false; // The CA key answers: nothing to renew.
        }
        var window = TimeSpan.FromDays(profile.RenewalWindowDays);
        return await _keeper.RenewAsync(r => r.NotAfter - _time.GetUtcNow() <= window, CreateAsync, cancellationToken);
    }

    private CertificateAuthority Issuer()
    {
        var issuerName = _options.ResponderIssuer ?? _issuance.Profiles.Find(_options.DefaultProfile)?.Issuers[0] ?? _authorities.Names.First();
        return _authorities.Find(issuerName) ?? throw new InvalidOperationException($"no CA named '{issuerName}' for the CMP responder");
    }

    /// <summary>A stored responder serves while it is an EC key certified by the configured issuer.</summary>
    private CmpResponder? Decode(OperationalKeys keys)
    {
        var issuer = Issuer();
        using var certificate = X509CertificateLoader.LoadCertificate(keys.CertificateDer);
        if (keys.Key is not ECDsa key || !certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.Certificate.SubjectName.RawData))
        {
            return null;
        }
        CmpLog.ResponderLoaded(_logger, certificate.SerialNumber, issuer.Name);
        return CmpResponder.Delegated(keys.CertificateDer, key, _authorities.ChainOf(issuer.Name));
    }

    private async Task<OperationalIssue<CmpResponder>> CreateAsync(CancellationToken cancellationToken)
    {
        var issuer = Issuer();
        var chain = _authorities.ChainOf(issuer.Name);
        var profile = _issuance.Profiles.Find(_options.ResponderProfile);
        if (profile is null || !profile.Protocols.Contains(EnrollmentProtocol.Internal, StringComparer.Ordinal)
            || !profile.Issuers.Contains(issuer.Name, StringComparer.Ordinal))
        {
            CmpLog.ResponderFallback(_logger, issuer.Name, $"no profile '{_options.ResponderProfile}' issued by {issuer.Name} over protocol internal");
            return OperationalIssue<CmpResponder>.InMemory(CmpResponder.Authority(issuer, chain));
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
            return OperationalIssue<CmpResponder>.Issued(key, issued.Der, issued.NotAfter);
        }
        catch (IssuanceRefusal refusal)
        {
            key.Dispose();
            CmpLog.ResponderFallback(_logger, issuer.Name, refusal.Reason);
            return OperationalIssue<CmpResponder>.InMemory(CmpResponder.Authority(issuer, chain));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public void Dispose() => _keeper.Dispose();
}
