using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using Microsoft.AspNetCore.Mvc;

namespace AmiPki.Server.Api.Contracts;

/// <summary>Query of <c>GET /api/v1/certificates</c>: every filter optional, combined with AND; newest first.</summary>
public sealed class CertificateSearch
{
    [FromQuery(Name = "issuer")] public string? Issuer { get; init; }
    [FromQuery(Name = "profile")] public string? Profile { get; init; }
    /// <summary>issued, signing, failed, revoked or valid.</summary>
    [FromQuery(Name = "status")] public string? Status { get; init; }
    [FromQuery(Name = "expiringBefore")] public DateTimeOffset? ExpiringBefore { get; init; }
    [FromQuery(Name = "systemTitle")] public string? SystemTitle { get; init; }
    [FromQuery(Name = "dcu")] public string? Dcu { get; init; }
    [FromQuery(Name = "lot")] public string? Lot { get; init; }
    /// <summary>The exact subject, RFC 4514 order as <c>amipki show</c> prints it.</summary>
    [FromQuery(Name = "subject")] public string? Subject { get; init; }
    [FromQuery(Name = "limit")] public int? Limit { get; init; }
    [FromQuery(Name = "offset")] public int? Offset { get; init; }
}

/// <summary>One page of certificates; <see cref="NextOffset"/> is null on the last page.</summary>
public sealed record CertificatePage(IReadOnlyList<CertificateSummary> Items, int Offset, int Limit, int? NextOffset);

public sealed record CertificateSummary(string Issuer, string Serial, string Status, string Profile, string Subject, DateTimeOffset NotBefore,
    DateTimeOffset NotAfter, string? SystemTitle, string? Dcu, string? Lot)
{
    public static CertificateSummary From(CertificateRecord r) =>
        new(r.Issuer, r.SerialHex, CertificateLookup.StatusOf(r), r.Profile, r.Subject, r.NotBefore, r.NotAfter, r.SystemTitle, r.Dcu, r.ManufacturerLot);
}

public sealed record RevocationView(string Reason, DateTimeOffset RevokedAt, DateTimeOffset? InvalidityDate)
{
    public static RevocationView? From(RevocationInfo? info) =>
        info is null ? null : new(RevocationReasons.NameOf(info.Reason), info.RevokedAt, info.InvalidityDate);
}

public sealed record CertificateDetail(string Issuer, string Serial, string Status, string Profile, string Subject, DateTimeOffset NotBefore,
    DateTimeOffset NotAfter, string Requester, string Protocol, DateTimeOffset CreatedAt, string? SystemTitle, string? Dcu, string? Lot, string? DeviceId,
    RevocationView? Revocation, string? Sha256, string? Pem)
{
    public static CertificateDetail From(CertificateRecord r) => new(r.Issuer, r.SerialHex, CertificateLookup.StatusOf(r), r.Profile, r.Subject,
        r.NotBefore, r.NotAfter, r.Requester, r.Protocol, r.CreatedAt, r.SystemTitle, r.Dcu, r.ManufacturerLot, r.DeviceId, RevocationView.From(r.Revocation),
        r.Sha256Hex, r.Der is null ? null : PemText.Encode("CERTIFICATE", r.Der));
}

/// <summary>Body of <c>POST …/revoke</c>.</summary>
/// <param name="Reason">RFC 5280 §5.3.1 name (keyCompromise, superseded, certificateHold, …) or number; default unspecified.</param>
/// <param name="InvalidityDate">When the key became invalid (RFC 5280 §5.3.2).</param>
public sealed record RevokeRequest(string? Reason = null, DateTimeOffset? InvalidityDate = null);

/// <summary>One serial of a bulk revocation; without issuer it is looked up among every CA.</summary>
public sealed record SerialInput(string? Issuer, string Serial);

/// <summary>Which certificates a bulk revocation selects (AND of the given criteria; at least one of the first four).</summary>
public sealed record SelectionInput(string? SystemTitle = null, string? Dcu = null, string? Lot = null, string? Profile = null, string? Issuer = null);

/// <summary>Body of <c>POST /api/v1/certificates/bulk-revoke</c>: either <see cref="Serials"/> or <see cref="Selection"/>.</summary>
public sealed record BulkRevokeRequest(IReadOnlyList<SerialInput>? Serials = null, SelectionInput? Selection = null, string? Reason = null,
    DateTimeOffset? InvalidityDate = null);

public sealed record RevocationOutcome(int Requested, int Changed, int Unchanged, IReadOnlyList<SerialInput> NotFound)
{
    public static RevocationOutcome From(RevocationResult result) => new(result.Requested, result.Changed, result.Unchanged,
        result.NotFound.Select(n => new SerialInput(n.Issuer, n.SerialHex)).ToList());
}
