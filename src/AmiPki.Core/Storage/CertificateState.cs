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
}
