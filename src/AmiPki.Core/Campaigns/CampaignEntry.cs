namespace AmiPki.Core.Campaigns;

/// <summary>One certificate in a renewal campaign: when its renewal is scheduled (spread per DCU) and how far it got.</summary>
/// <param name="Dcu">The DCU whose mesh the device hangs off; empty for certificates of no DCU (one group of their own).</param>
/// <param name="CertificateCreatedAt">When the certificate being renewed was issued: a newer one for the subject renews it.</param>
/// <param name="Attempts">Webhook calls made for it so far.</param>
/// <param name="NextAttemptAt">When the next webhook call may be made (exponential back-off after a failure).</param>
public sealed record CampaignEntry(
    string Issuer,
    string SerialHex,
    string Profile,
    string Subject,
    string? SystemTitle,
    string Dcu,
    DateTimeOffset NotAfter,
    DateTimeOffset CertificateCreatedAt,
    DateTimeOffset ScheduledAt,
    CampaignEntryState State,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset? NotifiedAt,
    DateTimeOffset? RenewedAt,
    string? RenewedBySerial,
    DateTimeOffset CreatedAt);
