using System.ComponentModel.DataAnnotations;

namespace AmiPki.Protocols.Est;

/// <summary>EST settings (configuration section <c>AmiPki:Est</c>, or <c>services.AddEst(o => ...)</c>).</summary>
public sealed class EstOptions
{
    public const string Section = "AmiPki:Est";

    /// <summary>The profile served at <c>/.well-known/est/&lt;op&gt;</c> without a label (RFC 7030 §3.2.2).</summary>
    public string DefaultProfile { get; set; } = "hes-client";

    /// <summary>
    /// Extra labels (label → profile). Every profile that allows the <c>est</c> protocol is also reachable under its own
    /// name as label, e.g. <c>/.well-known/est/hes-server/simpleenroll</c>.
    /// </summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Directory of manufacturer trust anchors (one PEM per manufacturer), e.g. DATA/trust/manufacturers.</summary>
    public string? ManufacturerAnchorDirectory { get; set; }

    /// <summary>Retry-After of a 202 answer while a request waits for manual approval (RFC 7030 §4.2.3).</summary>
    [Range(1, int.MaxValue)]
    public int RetryAfterSeconds { get; set; } = 60;

    /// <summary>The realm in <c>WWW-Authenticate: Basic realm="..."</c> (RFC 7617).</summary>
    public string Realm { get; set; } = "AmiPki EST";

    /// <summary>How long a verified Basic secret is remembered (PBKDF2 is deliberately slow; a device retrying should not pay it each time).</summary>
    [Range(0, int.MaxValue)]
    public int BasicCacheSeconds { get; set; } = 300;
}
