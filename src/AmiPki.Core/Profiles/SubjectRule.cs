namespace AmiPki.Core.Profiles;

/// <summary>How a profile constrains the subject DN.</summary>
public enum SubjectRule
{
    /// <summary>Subject is exactly CN = the DLMS system title: 8 bytes as 16 upper-case hex digits (IEC 62056-5-3).</summary>
    DlmsSystemTitle,

    /// <summary>A non-empty CN is required; other attributes allowed.</summary>
    CommonNameRequired,

    /// <summary>Any subject, including an empty one (then a critical SAN is required, RFC 5280 §4.2.1.6).</summary>
    Any,
}
