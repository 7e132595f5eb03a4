using AmiPki.Core.Audit;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// Audit entries for what the SCEP adapter refuses itself (undecodable message, bad signature, wrong challenge, unknown
/// message type) and for requests put on hold. The core audits its own refusals and every issuance.
/// </summary>
internal sealed class ScepAudit
{
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ScepAudit(IAuditLog audit, TimeProvider time, ILogger<ScepAudit> logger)
    {
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    public Task RefusedAsync(string messageType, string transactionId, string requester, ScepFailInfo failInfo, string reason)
    {
        ScepLog.Refused(_logger, messageType, transactionId, requester, failInfo.ToString(), reason);
        return AppendAsync("refused", requester, $"op={messageType} transaction={OneLine(transactionId)} failInfo={failInfo} reason={OneLine(reason)}");
    }

    public Task PendingAsync(string requester, string id, string profile, string subject)
    {
        ScepLog.Pending(_logger, id, profile);
        return AppendAsync("pending", requester, $"request={id} profile={profile} subject={subject}");
    }

    private async Task AppendAsync(string outcome, string requester, string detail)
    {
        try
        {
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "issuance", $"scep:{requester}", outcome, detail), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The answer to the client does not depend on the audit write; losing it is logged loudly instead.
            ScepLog.AuditFailed(_logger, e, detail);
        }
    }

    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('\r', ' ');
}
