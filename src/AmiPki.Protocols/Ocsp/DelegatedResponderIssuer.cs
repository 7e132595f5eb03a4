using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Gets each issuer a delegated OCSP responder (RFC 6960 §4.2.2.2): a fresh key held in memory only, and a certificate
/// issued through the ordinary pipeline (<see cref="IssuanceService"/>, so it is linted, recorded and audited like any
/// other) under the <c>ocsp-responder</c> profile (EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck, protocol internal).
/// When the profile or the issuance is unavailable, the CA key answers itself, which RFC 6960 also allows.
/// </summary>
public sealed class DelegatedResponderIssuer
{
    private readonly IssuanceService? _issuance;
    private readonly OcspResponderOptions _options;
    private readonly ILogger _logger;

    public DelegatedResponderIssuer(IssuanceService? issuance, OcspResponderOptions options, ILogger logger)
    {
        _issuance = issuance;
        _options = options;
        _logger = logger;
    }

    public async Task<OcspSigner> CreateAsync(OcspIssuer issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var profile = _issuance?.Profiles.Find(_options.ResponderProfile);
        if (_issuance is null || profile is null)
        {
            return Fallback(issuer, $"no profile '{_options.ResponderProfile}'");
        }
        if (!profile.Issuers.Contains(issuer.Name, StringComparer.Ordinal) || !profile.Protocols.Contains(EnrollmentProtocol.Internal, StringComparer.Ordinal))
        {
            return Fallback(issuer, $"profile {profile.Name} is not issued by {issuer.Name} over protocol internal");
        }
        // The responder's curve follows its CA's (DLMS Suite 1 P-256, Suite 2 P-384) when the profile allows it.
        var algorithm = issuer.Authority.Key.Algorithm is KeyAlgorithm.EcP384 or KeyAlgorithm.EcP521 && profile.KeyAlgorithms.Contains(KeyAlgorithm.EcP384)
            ? KeyAlgorithm.EcP384
            : KeyAlgorithm.EcP256;
        if (!profile.KeyAlgorithms.Contains(algorithm))
        {
            return Fallback(issuer, $"profile {profile.Name} allows neither P-256 nor P-384");
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
            return OcspSigner.Delegated(issued.Der, key);
        }
        catch (IssuanceRefusal refusal)
        {
            key.Dispose();
            return Fallback(issuer, $"issuance refused: {refusal.Reason}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A storage or key failure must not take the responder down: the CA key can still answer.
            key.Dispose();
            return Fallback(issuer, $"issuing the responder certificate failed: {e.Message}");
        }
    }

    private OcspSigner Fallback(OcspIssuer issuer, string reason)
    {
        OcspLog.FallbackToCaKey(_logger, issuer.Name, reason);
        return OcspSigner.Authority(issuer.Authority);
    }
}
