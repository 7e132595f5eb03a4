namespace AmiPki.Core.Operations;

/// <summary>
/// A certificate AmiPki holds for itself (its TLS server, an OCSP responder, the CMP responder, the SCEP RA), which the
/// <c>operational-certificates</c> job renews before it expires.
/// </summary>
public interface IOperationalCertificate
{
    /// <summary>What it is, for logs and the audit trail (e.g. <c>ocsp-responder issuing-s1</c>).</summary>
    string Name { get; }

    /// <summary>The current certificate's notAfter; null while none has been issued yet (issued on first use).</summary>
    DateTimeOffset? NotAfter { get; }

    /// <summary>Renews the certificate if it entered its renewal window; true if it was renewed.</summary>
    Task<bool> RenewIfDueAsync(CancellationToken cancellationToken);
}
