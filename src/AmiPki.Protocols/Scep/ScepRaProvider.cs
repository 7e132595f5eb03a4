using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// Keeps the RA (RFC 8894 §2.1) usable: an RSA key and a certificate issued through the ordinary pipeline (linted,
/// recorded, audited) under <see cref="ScepOptions.RaProfile"/> over protocol internal, kept in storage as operational
/// identity <see cref="IdentityName"/> (the key encrypted under the key passphrase), so every node and every restart
/// presents the same RA certificate: GetCACert from one node and PKIOperation to another work together. It is issued on
/// first use only when none is stored (compare-and-set: of nodes starting at once one stores it, the others adopt it),
/// replaced when it can no longer serve (expired, another issuer), and otherwise renewed only by the
/// <c>operational-certificates</c> job within <see cref="ScepOptions.RaRenewBeforeDays"/> of expiry. The replaced RA stays
/// in the record: a PKIOperation encrypted to it is still answered until it expires (<see cref="ScepRa.Previous"/>).
/// Without storage or a key passphrase the RA lives in memory only.
/// </summary>
public sealed class ScepRaProvider : IDisposable, IOperationalCertificate, IOperationalCertificateSource
{
    /// <summary>The operational identity's name in storage.</summary>
    public const string IdentityName = "scep-ra";

    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly ScepOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OperationalIdentityKeeper<ScepRa> _keeper;

    public ScepRaProvider(IssuanceService issuance, CaHierarchy authorities, ScepOptions options, TimeProvider time, ILogger<ScepRaProvider> logger,
        IOperationalIdentityStore? store = null, OperationalKeyProtector? protector = null, TimeSpan? refreshInterval = null)
    {
        _issuance = issuance;
        _authorities = authorities;
        _options = options;
        _time = time;
        _logger = logger;
        _keeper = new OperationalIdentityKeeper<ScepRa>(IdentityName, store, protector, time, Decode, refreshInterval);
        if (!_keeper.IsDurable)
        {
            ScepLog.RaNotDurable(logger);
        }
    }

    /// <summary>The RA: cached, else stored, else issued and stored.</summary>
    public async ValueTask<ScepRa> GetAsync(CancellationToken cancellationToken) => await _keeper.GetAsync(Usable, CreateAsync, cancellationToken);

    public string Name => "scep-ra";

    /// <summary>The RA certificate's notAfter; null before the first SCEP request loaded or issued it.</summary>
    public DateTimeOffset? NotAfter => _keeper.Current?.NotAfter;

    public IReadOnlyList<IOperationalCertificate> OperationalCertificates => [this];

    /// <summary>
    /// Replaces the stored RA once it is within <see cref="ScepOptions.RaRenewBeforeDays"/> of expiry (run by the
    /// scheduler), keeping the replaced one as the previous. Re-reads the stored version first.
    /// </summary>
    public Task<bool> RenewIfDueAsync(CancellationToken cancellationToken) =>
        _keeper.RenewAsync(ra => ra.NotAfter <= _time.GetUtcNow().AddDays(_options.RaRenewBeforeDays), CreateAsync, cancellationToken);

    /// <summary>Serves requests: valid now (a little clock skew allowed) and issued by the RA profile's issuer.</summary>
    private bool Usable(ScepRa ra) => ra.NotAfter > _time.GetUtcNow()
        && ra.Certificate.NotBefore.ToUniversalTime() <= _time.GetUtcNow().AddMinutes(10)
        && ra.Issuer.Name.Equals(IssuerName(), StringComparison.Ordinal);

    private ScepRa? Decode(OperationalKeys keys)
    {
        if (keys.Key is not RSA key || Build(keys.CertificateDer, key) is not { } ra)
        {
            return null;
        }
        ScepLog.RaLoaded(_logger, ra.Certificate.Subject, ra.Certificate.SerialNumber, ra.Certificate.NotAfter.ToUniversalTime());
        var previous = keys.PreviousKey is RSA previousKey && keys.PreviousCertificateDer is { } previousDer ? Build(previousDer, previousKey) : null;
        return previous is null ? ra : new ScepRa(ra.Certificate, ra.Key, ra.Issuer, ra.Chain) { Previous = previous };
    }

    private ScepRa? Build(byte[] certificateDer, RSA key)
    {
        var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        var issuer = _authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData));
        if (issuer is null)
        {
            certificate.Dispose();
            return null;
        }
        return new ScepRa(certificate, key, issuer, _authorities.ChainOf(issuer.Name));
    }

    private string IssuerName() =>
        _issuance.Profiles.Find(_options.RaProfile)?.Issuers[0]
        ?? _issuance.Profiles.Find(_options.DefaultProfile)?.Issuers[0]
        ?? _authorities.Names.First();

    private async Task<OperationalIssue<ScepRa>> CreateAsync(CancellationToken cancellationToken)
    {
        var profile = _issuance.Profiles.Find(_options.RaProfile);
        if (profile is null || !profile.Protocols.Contains(EnrollmentProtocol.Internal, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"SCEP needs the RA profile '{_options.RaProfile}' allowing protocol internal (RFC 8894 §2.1: RSA RA)");
        }
        var issuerName = profile.Issuers[0];
        var issuer = _authorities.Find(issuerName) ?? throw new InvalidOperationException($"no CA named '{issuerName}' for the SCEP RA");
        var key = RSA.Create(_options.RaKeySize);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddOrganizationName("AmiPki");
            subject.AddCommonName($"AmiPki SCEP RA {issuer.Name}");
            var csr = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
            var request = new EnrollmentRequest(csr, profile.Name, Requester.Internal("amipki:scep-ra"),
                EnrollmentProtocol.Internal)
            {
                IssuerName = issuer.Name,
            };
            var issued = await _issuance.IssueAsync(request, cancellationToken);
            ScepLog.RaIssued(_logger, $"CN=AmiPki SCEP RA {issuer.Name}", issued.SerialHex, issued.NotAfter);
            return OperationalIssue<ScepRa>.Issued(key, issued.Der, issued.NotAfter);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public void Dispose() => _keeper.Dispose();
}
