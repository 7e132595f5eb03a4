using AmiPki.Core.Authorities;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Core.Validation;
using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/certificates</c>: search with filters and paging, show, revoke one or release its hold (operator), bulk revoke by list or
/// selection (administrator, as a background operation with progress). Revocations go through the same
/// <see cref="RevocationService"/> as <c>amipki revoke</c>, so CRLs and OCSP follow at once.
/// </summary>
public static class CertificateApi
{
    public static RouteGroupBuilder MapCertificates(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/certificates").WithTags("Certificates");
        group.MapGet("/", SearchAsync).Requires(AdminPermission.Read).Validated<CertificateSearch>().WithName("searchCertificates");
        group.MapGet("/{serial}", FindAsync).Requires(AdminPermission.Read).WithName("findCertificate").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{issuer}/{serial}", ShowAsync).Requires(AdminPermission.Read).WithName("showCertificate").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{issuer}/{serial}/revoke", RevokeAsync).Requires(AdminPermission.Operate).Validated<RevokeRequest>().WithName("revokeCertificate")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{issuer}/{serial}/release-hold", ReleaseHoldAsync).Requires(AdminPermission.Operate).WithName("releaseCertificateHold")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/bulk-revoke", BulkRevoke).Requires(AdminPermission.Administer).Validated<BulkRevokeRequest>().WithName("bulkRevokeCertificates");
        return api;
    }

    private static async Task<Ok<CertificatePage>> SearchAsync([AsParameters] CertificateSearch query, ICertificateReader certificates,
        CancellationToken cancellationToken)
    {
        var (state, revoked) = CertificateLookup.ParseStatus(query.Status);
        var limit = query.Limit ?? 100;
        var offset = query.Offset ?? 0;
        var rows = await certificates.ListAsync(new CertificateQuery(query.Issuer, query.Profile, state, revoked, query.ExpiringBefore,
            query.SystemTitle?.ToUpperInvariant(), query.Dcu, query.Lot, query.Subject, limit, offset), cancellationToken);
        return TypedResults.Ok(new CertificatePage(rows.Select(CertificateSummary.From).ToList(), offset, limit, rows.Count == limit ? offset + limit : null));
    }

    private static async Task<Ok<CertificateDetail>> FindAsync(string serial, ICertificateReader certificates, CaHierarchy authorities,
        ICaStore cas, CancellationToken cancellationToken)
    {
        var names = (await cas.ListAsync(cancellationToken)).Select(c => c.Name);
        var record = await CertificateLookup.FindAsync(certificates, null, names, serial, cancellationToken)
                     ?? throw new KeyNotFoundException($"no certificate with serial {SerialReference.NormalizeSerial(serial)}");
        return TypedResults.Ok(CertificateDetail.From(record));
    }

    private static async Task<Ok<CertificateDetail>> ShowAsync(string issuer, string serial, ICertificateReader certificates,
        CancellationToken cancellationToken)
    {
        var record = await CertificateLookup.FindAsync(certificates, issuer, [], serial, cancellationToken)
                     ?? throw new KeyNotFoundException($"no certificate with serial {SerialReference.NormalizeSerial(serial)} at CA {issuer}");
        return TypedResults.Ok(CertificateDetail.From(record));
    }

    private static async Task<Ok<RevocationOutcome>> RevokeAsync(string issuer, string serial, [FromBody] RevokeRequest request, AdminIdentity admin,
        RevocationService revocations, CaHierarchy authorities, CancellationToken cancellationToken)
    {
        if (authorities.Find(issuer) is null)
        {
            throw new KeyNotFoundException($"no CA named '{issuer}' (known: {string.Join(", ", authorities.Names)})");
        }
        var reason = request.Reason is null ? RevocationReason.Unspecified : RevocationReasons.Parse(request.Reason);
        var result = await revocations.RevokeAsync([new SerialReference(issuer, SerialReference.NormalizeSerial(serial))], reason, request.InvalidityDate,
            admin.Actor, null, cancellationToken);
        if (result.NotFound.Count > 0)
        {
            throw new KeyNotFoundException($"no certificate with serial {result.NotFound[0].SerialHex} at CA {issuer}");
        }
        return TypedResults.Ok(RevocationOutcome.From(result));
    }

    /// <summary>Releases a certificateHold (RFC 5280 §5.3.1): the certificate is good again; <c>changed</c> is 0 if it was not on hold.</summary>
    private static async Task<Ok<RevocationOutcome>> ReleaseHoldAsync(string issuer, string serial, AdminIdentity admin, RevocationService revocations,
        CaHierarchy authorities, CancellationToken cancellationToken)
    {
        if (authorities.Find(issuer) is null)
        {
            throw new KeyNotFoundException($"no CA named '{issuer}' (known: {string.Join(", ", authorities.Names)})");
        }
        var result = await revocations.ReleaseHoldAsync([new SerialReference(issuer, SerialReference.NormalizeSerial(serial))], admin.Actor, null,
            cancellationToken);
        if (result.NotFound.Count > 0)
        {
            throw new KeyNotFoundException($"no certificate with serial {result.NotFound[0].SerialHex} at CA {issuer}");
        }
        return TypedResults.Ok(RevocationOutcome.From(result));
    }

    private static AcceptedAtRoute<OperationView> BulkRevoke([FromBody] BulkRevokeRequest request, AdminIdentity admin, RevocationService revocations,
        AdminOperations operations, CaHierarchy authorities, ProfileSet profiles)
    {
        // An unknown profile would select nothing and report success: refused, listing the known profiles.
        if (request.Selection?.Profile is { Length: > 0 } selectionProfile && profiles.Find(selectionProfile) is null)
        {
            throw new InvalidInputException("selection.profile", ProfileView.UnknownName(profiles, selectionProfile));
        }
        // Unknown CAs are refused now, naming the field, rather than failing the operation later.
        if (request.Selection?.Issuer is { } selectionIssuer && authorities.Find(selectionIssuer) is null)
        {
            throw new InvalidInputException("selection.issuer", $"no CA named '{selectionIssuer}' (known: {string.Join(", ", authorities.Names)})");
        }
        for (var i = 0; i < (request.Serials?.Count ?? 0); i++)
        {
            if (request.Serials![i].Issuer is { } issuer && authorities.Find(issuer) is null)
            {
                throw new InvalidInputException($"serials[{i}].issuer", $"no CA named '{issuer}' (known: {string.Join(", ", authorities.Names)})");
            }
        }
        var reason = request.Reason is null ? RevocationReason.Unspecified : RevocationReasons.Parse(request.Reason);
        var operation = operations.Start("bulk-revocation", admin.Actor, async operation =>
        {
            var progress = new OperationProgress(operation);
            // Runs to the end once started (CancellationToken.None): each issuer's share (per profile) is one durable operation.
            var result = request.Serials is { } serials
                ? await revocations.RevokeAsync(serials.Select(s => new SerialReference(s.Issuer, SerialReference.NormalizeSerial(s.Serial))).ToList(),
                    reason, request.InvalidityDate, admin.Actor, progress, CancellationToken.None)
                : await revocations.RevokeSelectionAsync(new RevocationSelection(request.Selection!.SystemTitle?.ToUpperInvariant(), request.Selection.Dcu,
                    request.Selection.Lot, request.Selection.Profile, request.Selection.Issuer), reason, request.InvalidityDate, admin.Actor, progress,
                    CancellationToken.None);
            return RevocationOutcome.From(result);
        });
        return TypedResults.AcceptedAtRoute(operation.View(), OperationApi.RouteName, new { id = operation.Id });
    }

    /// <summary>Forwards revocation progress to the operation synchronously (reports arrive on the storage writer's thread).</summary>
    private sealed class OperationProgress(AdminOperation operation) : IProgress<RevocationProgress>
    {
        public void Report(RevocationProgress value) => operation.Report(value.Phase, value.Done, value.Total);
    }
}
