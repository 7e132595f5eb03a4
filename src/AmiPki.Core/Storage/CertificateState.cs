namespace AmiPki.Core.Storage;

/// <summary>Life of a serial number inside the CA (DESIGN.md, issuance pipeline steps 6–8).</summary>
public enum CertificateState
{
    /// <summary>Serial reserved and intent recorded; a signature may exist. Treated as issued (revocable), never reused.</summary>
    Signing,

    /// <summary>Signed and recorded.</summary>
    Issued,

    /// <summary>Signing failed for certain (the key provider refused); the serial is burnt, never reused.</summary>
    Failed,

    /// <summary>
    /// A Signing serial whose process ended (crash, SIGKILL, power loss) before it recorded the certificate, found by the
    /// start-up recovery pass (<see cref="Issuance.OrphanedIntentRecovery"/>). Whether a signature exists cannot be known,
    /// so it is treated as issued (DESIGN.md, pipeline steps 6–8): revocable, on the CRL once revoked, never "good" over
    /// OCSP, never reused. Should the process that reserved it still complete it, it becomes Issued.
    /// </summary>
    OutcomeUnknown,
}
