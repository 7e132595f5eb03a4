namespace AmiPki.Core.Profiles;

/// <summary>The enrollment protocols a profile may allow, by the names profiles use.</summary>
public static class EnrollmentProtocol
{
    public const string Cli = "cli";
    public const string Est = "est";
    public const string EstCoaps = "est-coaps";
    public const string Cmp = "cmp";
    public const string Scep = "scep";
    public const string AdminApi = "admin-api";
    /// <summary>AmiPki issuing its own operational certificates (TLS server, OCSP responders, RA).</summary>
    public const string Internal = "internal";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Cli, Est, EstCoaps, Cmp, Scep, AdminApi, Internal,
    };
}
