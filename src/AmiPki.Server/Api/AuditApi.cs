using AmiPki.Core.Audit;
using AmiPki.Server.Api.Contracts;
using AmiPki.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/audit</c>: query the hash-chained audit log (filters, paging) and verify the chain as <c>amipki audit
/// verify</c> does (one read snapshot, so entries appended meanwhile are not mistaken for tampering).
/// </summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/", QueryAsync).Requires(AdminPermission.Read).Validated<AuditSearch>().WithName("queryAudit");
        group.MapGet("/verify", async (IAuditStore audit, CancellationToken ct) =>
            {
                var result = await audit.VerifyAsync(ct);
                return TypedResults.Ok(new AuditVerificationView(result.IsIntact, result.EntriesChecked, result.FirstBadSequence, result.Problem));
            })
            .Requires(AdminPermission.Read).WithName("verifyAudit");
        return api;
    }

    /// <summary>Streams the log once, keeping only the requested page (memory bounded by the page, not the log).</summary>
    private static async Task<Ok<AuditPage>> QueryAsync([AsParameters] AuditSearch query, IAuditStore audit, CancellationToken cancellationToken)
    {
        var limit = query.Limit ?? 100;
        var offset = query.Offset ?? 0;
        var items = new List<AuditEntryView>(limit);
        var matched = 0;
        var more = false;
        // The same rules as `amipki audit search` (one AuditFilter in the core).
        var filter = new AuditFilter(query.Kind, query.Actor, query.Outcome, null, query.Since, query.Until);
        await foreach (var entry in audit.ReadAllAsync(cancellationToken))
        {
            if (!filter.Matches(entry.Event))
            {
                continue;
            }
            if (matched++ < offset)
            {
                continue;
            }
            if (items.Count == limit)
            {
                more = true;
                break;
            }
            items.Add(AuditEntryView.From(entry));
        }
        return TypedResults.Ok(new AuditPage(items, offset, limit, more ? offset + limit : null));
    }
}
