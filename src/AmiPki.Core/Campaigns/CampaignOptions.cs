using System.ComponentModel.DataAnnotations;

namespace AmiPki.Core.Campaigns;

/// <summary>
/// How renewal campaigns spread renewals and tell the head-end (section <c>AmiPki:Campaigns</c>). The profile decides
/// when a certificate enters its renewal window (<c>renewalWindowDays</c>); these decide when within it each is renewed.
/// </summary>
public sealed class CampaignOptions
{
    /// <summary>The renewals of the certificates one DCU's devices hold are spread over this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan SpreadWindow { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// At most this many renewals per DCU in one <see cref="SpreadWindow"/>: the DCU's mesh (RF or PLC, a few kbit/s)
    /// carries every meter's re-enrollment. More spill into the following windows.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxPerDcuPerWindow { get; set; } = 240;

    /// <summary>
    /// Random shift of each renewal within its slot, as a fraction of the slot (0 = evenly spaced, 1 = anywhere in the
    /// slot): meters answering in lock-step would collide on the mesh. Two renewals of a DCU stay at least
    /// (1 − <see cref="Jitter"/>) slots apart.
    /// </summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.5;

    /// <summary>An entry not renewed this long after its renewal time is overdue.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The head-end's webhook (HTTP POST, JSON). Unset: entries are scheduled and tracked, nobody is told.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>
    /// Shared secret for signing webhook calls (header <c>X-AmiPki-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of
    /// "t.body"&gt;</c>), so the head-end can tell AmiPki's calls from anyone's and refuse replayed ones by the time. Unset:
    /// calls are not signed. Set it from the environment (<c>AMIPKI_Campaigns__WebhookSecret</c>), not a file in git.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Delay before the first retry of a failed webhook call; doubled at every further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest delay between two retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Webhook calls made in one pass at most (the rest wait for the next pass).</summary>
    [Range(1, int.MaxValue)]
    public int MaxNotificationsPerRun { get; set; } = 5_000;

    /// <summary>Profiles left out of campaigns (AmiPki's own certificates are renewed by the operational-certificates job).</summary>
    public IList<string> ExcludedProfiles { get; } = new List<string> { "amipki-tls-server", "ocsp-responder", "cmp-responder", "scep-ra" };

    /// <summary>The delay before retry number <paramref name="failures"/> (1 after the first failure): base × 2^(failures−1), capped.</summary>
    public TimeSpan RetryDelay(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = RetryBaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= RetryMaxDelay.Ticks ? RetryMaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
