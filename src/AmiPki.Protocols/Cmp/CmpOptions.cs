using System.ComponentModel.DataAnnotations;

namespace AmiPki.Protocols.Cmp;

/// <summary>CMP settings (configuration section <c>AmiPki:Cmp</c>, or <c>services.AddCmp(o => ...)</c>).</summary>
public sealed class CmpOptions
{
    public const string Section = "AmiPki:Cmp";

    /// <summary>The profile served at <c>/.well-known/cmp</c> when a MAC credential names none (its first profile wins then).</summary>
    public string DefaultProfile { get; set; } = "dcu";

    /// <summary>Extra labels (label → profile) for <c>/.well-known/cmp/p/&lt;label&gt;</c>; every profile allowing cmp is reachable by name.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest request body accepted (RFC 6712 leaves it to the server); larger ones are refused before reading.</summary>
    [Range(1, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>A certificate not confirmed (certConf, RFC 4210 §5.3.18) within this time is revoked.</summary>
    [Range(1, int.MaxValue)]
    public int ConfirmWaitSeconds { get; set; } = 300;

    /// <summary>
    /// How long a transactionID is remembered in storage to refuse replays (transactionIdInUse); at least twice
    /// <see cref="MessageTimeToleranceSeconds"/>, so that a request too old to be remembered is too old for its messageTime.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int ReplayWindowSeconds { get; set; } = 3600;

    /// <summary>
    /// A request whose messageTime is further than this from our clock is refused with badTime (RFC 4210 §5.1.1,
    /// RFC 9483 §3.1): the clock drift the fleet is allowed. Together with the replay window this bounds replays in time.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MessageTimeToleranceSeconds { get; set; } = 300;

    /// <summary>How often the unconfirmed-certificate sweep runs.</summary>
    [Range(1, int.MaxValue)]
    public int SweepIntervalSeconds { get; set; } = 15;

    /// <summary>Grant implicitConfirm when the requester asks for it (RFC 4210 §5.1.1.1).</summary>
    public bool AllowImplicitConfirm { get; set; } = true;

    /// <summary>Profile of the CMP responder certificate (digitalSignature, protocols internal).</summary>
    public string ResponderProfile { get; set; } = "cmp-responder";

    /// <summary>CA issuing the responder certificate; null: the default profile's first issuer.</summary>
    public string? ResponderIssuer { get; set; }

    /// <summary>Organization in the responder's subject.</summary>
    public string Organization { get; set; } = "AmiPki";

    /// <summary>Passphrase for <see cref="CmpSecretProtector"/> when neither environment variable is set.</summary>
    public string? SecretKeyPassphrase { get; set; }

    /// <summary>checkAfter of pollRep while a request waits for manual approval (RFC 4210 §5.3.22).</summary>
    [Range(1, int.MaxValue)]
    public int PollCheckAfterSeconds { get; set; } = 10;
}
