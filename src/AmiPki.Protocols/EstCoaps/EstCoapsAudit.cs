using AmiPki.Core.Audit;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// Audit entries for what the adapter refuses before the core sees the request (authentication, content format, label,
/// undecodable body) and for requests put on hold. The core audits its own refusals and every issuance.
/// </summary>
internal sealed class EstCoapsAudit
{
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public EstCoapsAudit(IAuditLog audit, TimeProvider time, ILogger<EstCoapsAudit> logger)
    {
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    public async Task RefusedAsync(string operation, string? label, string actor, string code, string reason)
    {
        var oneLine = reason.ReplaceLineEndings(" ");
        var detail = $"op={operation} label={label ?? "-"} code={code} reason={oneLine}";
        EstCoapsLog.Refused(_logger, operation, actor, code, oneLine);
        try
        {
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "issuance", $"est-coaps:{actor}", "refused", detail), CancellationToken.None)
                .ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The answer to the client does not depend on the audit write; losing it is logged loudly.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            EstCoapsLog.AuditFailed(_logger, e, detail);
        }
    }

    public async Task PendingAsync(string actor, string id, string profile, string subject)
    {
        try
        {
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "approval", $"est-coaps:{actor}", "pending",
                $"request={id} profile={profile} subject={subject}"), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above: logged, never turned into a failed answer.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            EstCoapsLog.AuditFailed(_logger, e, $"pending request {id}");
        }
    }
}
