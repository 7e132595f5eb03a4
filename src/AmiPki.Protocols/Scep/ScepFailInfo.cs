namespace AmiPki.Protocols.Scep;

/// <summary>SCEP failInfo values (RFC 8894 §3.2.1.4), sent as PrintableString decimals.</summary>
public enum ScepFailInfo
{
    /// <summary>Unrecognized or unsupported algorithm.</summary>
    BadAlg = 0,

    /// <summary>Integrity check (signature verification of the message) failed.</summary>
    BadMessageCheck = 1,

    /// <summary>Transaction not permitted or supported.</summary>
    BadRequest = 2,

    /// <summary>The signingTime attribute was not sufficiently close to the system time.</summary>
    BadTime = 3,

    /// <summary>No certificate could be identified matching the provided criteria.</summary>
    BadCertId = 4,
}
