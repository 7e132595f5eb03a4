using System.ComponentModel.DataAnnotations;

namespace AmiPki.Protocols.Scep;

/// <summary>SCEP settings (configuration section <c>AmiPki:Scep</c>, or <c>services.AddScep(o => ...)</c>).</summary>
public sealed class ScepOptions
{
    public const string Section = "AmiPki:Scep";

    /// <summary>Where SCEP is served (RFC 8894 §4.1: the path is the server's choice).</summary>
    public string Path { get; set; } = "/scep";

    /// <summary>Further paths serving the same thing; the first is the path many legacy clients assume.</summary>
    public List<string> AlternatePaths { get; set; } = ["/cgi-bin/pkiclient.exe"];

    /// <summary>Profile used by requests whose challenge does not name one (one-time challenges name theirs).</summary>
    public string DefaultProfile { get; set; } = "network-device";

    /// <summary>
    /// Static challenge passwords (profile → password) accepted for automatic issuance (RFC 8894 §2.3). Every device
    /// that knows it can enroll: prefer one-time challenges from <c>amipki scep-challenge add</c>.
    /// </summary>
    public Dictionary<string, string> StaticChallenges { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Hold a PKCSReq that carries no challengePassword for an admin's approval under <see cref="DefaultProfile"/>
    /// (RFC 8894 §2.3: manual authentication, answered PENDING) instead of refusing it with badRequest.
    /// </summary>
    public bool HoldRequestsWithoutChallenge { get; set; }

    /// <summary>Advertise DES3 in GetCACaps and accept DES-EDE3-CBC requests (RFC 8894 §3.5.2). Responses are AES always.</summary>
    public bool EnableDes3 { get; set; }

    /// <summary>
    /// Accept requests encrypted with single DES-CBC (never advertised, never used in responses). Off by default: a
    /// 56-bit key exposes the challenge password to anyone who recorded the request. Some clients (micromdm's
    /// <c>scepclient</c>) encrypt with DES regardless of GetCACaps.
    /// </summary>
    public bool AcceptSingleDesRequests { get; set; }

    /// <summary>Largest PKIOperation message accepted; larger ones are refused before being read.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Profile of the RA certificate (RSA, digitalSignature + keyEncipherment, protocol internal).</summary>
    public string RaProfile { get; set; } = "scep-ra";

    /// <summary>RSA size of the RA key.</summary>
    [Range(2048, 16384)]
    public int RaKeySize { get; set; } = 2048;

    /// <summary>The <c>operational-certificates</c> job replaces the RA certificate when it expires within this many days.</summary>
    [Range(0, int.MaxValue)]
    public int RaRenewBeforeDays { get; set; } = 30;
}
