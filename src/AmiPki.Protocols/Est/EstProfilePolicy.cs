namespace AmiPki.Protocols.Est;

/// <summary>How EST clients of one profile may authenticate (configuration <c>AmiPki:Est:Profiles:&lt;profile&gt;</c>).</summary>
public sealed class EstProfilePolicy
{
    /// <summary>HTTP Basic accounts (<c>amipki est-account add</c>) bound to this profile may enroll (RFC 7030 §3.2.3).</summary>
    public bool AllowBasic { get; set; } = true;

    /// <summary>A TLS client certificate chaining to a registered manufacturer anchor (factory IDevID) may enroll (RFC 7030 §3.3.2).</summary>
    public bool AllowFactoryCertificate { get; set; } = true;

    /// <summary>
    /// The factory certificate must also be in the device registry (by SHA-256 fingerprint), and for DLMS profiles the
    /// CSR's CN must be the registered system title. Null: required for DLMS system-title profiles (meters), not otherwise.
    /// </summary>
    public bool? RequireRegisteredDevice { get; set; }
}
