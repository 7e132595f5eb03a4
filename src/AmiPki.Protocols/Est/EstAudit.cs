using AmiPki.Core.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Est;

/// <summary>
/// Audit entries for what the adapter refuses before the core sees the request (authentication, media type, size,
/// label, undecodable body). The core audits its own refusals and every issuance.
/// </summary>
internal sealed class EstAudit
{
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public EstAudit(IAuditLog audit, TimeProvider time, ILogger<EstAudit> logger)
    {
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    public async Task RefusedAsync(HttpContext context, string operation, string? label, string? actor, int status, string reason)
    {
        var who = actor ?? $"anonymous@{context.Connection.RemoteIpAddress}";
        var detail = $"op={operation} label={label ?? "-"} status={status} reason={EstResults.OneLine(reason)}";
        EstLog.Refused(_logger, operation, label ?? "-", who, status, reason);
        try
        {
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "issuance", $"est:{who}", "refused", detail), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The answer to the client does not depend on the audit write; losing it is logged loudly instead.
            EstLog.AuditFailed(_logger, e, detail);
        }
    }

    public async Task PendingAsync(string actor, string id, string profile, string subject)
    {
        try
        {
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "approval", $"est:{actor}", "pending",
                $"request={id} profile={profile} subject={subject}"), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EstLog.AuditFailed(_logger, e, $"pending request {id}");
        }
    }
}
