using AmiPki.Core.Operations;

namespace AmiPki.Protocols.Ocsp;

/// <summary>The delegated OCSP responder certificates (one per issuer) as operational certificates the scheduler renews.</summary>
public sealed class OcspResponderCertificates : IOperationalCertificateSource
{
    public OcspResponderCertificates(OcspResponder responder, DelegatedResponderIssuer responders)
    {
        ArgumentNullException.ThrowIfNull(responder);
        OperationalCertificates = responder.Issuers.Select(i => (IOperationalCertificate)new ResponderCertificate(responder, responders, i)).ToList();
    }

    public IReadOnlyList<IOperationalCertificate> OperationalCertificates { get; }

    private sealed class ResponderCertificate(OcspResponder responder, DelegatedResponderIssuer responders, OcspIssuer issuer) : IOperationalCertificate
    {
        public string Name => $"ocsp-responder {issuer.Name}";

        /// <summary>Null until the responder is initialised, or when the CA key answers itself (nothing to renew).</summary>
        public DateTimeOffset? NotAfter => issuer.Signer is { IsDelegated: true } signer ? signer.NotAfter : null;

        public Task<bool> RenewIfDueAsync(CancellationToken cancellationToken) => responder.RenewResponderIfDueAsync(issuer, responders, cancellationToken);
    }
}
