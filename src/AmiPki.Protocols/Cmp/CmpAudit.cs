using AmiPki.Core.Audit;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Audit entries for what the CMP adapter decides itself: refusals (authentication, POP, replay, profile), revocations
/// of unconfirmed certificates and rejected confirmations. The core audits every issuance and its own refusals once
/// more with the profile detail; storage audits each revocation.
/// </summary>
public sealed class CmpAudit
{
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CmpAudit(IAuditLog audit, TimeProvider time, ILogger logger)
    {
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    public Task RefusedAsync(string body, string actor, PkiFailureInfo failure, string reason)
    {
        CmpLog.Refused(_logger, body, actor, failure, reason);
        return AppendAsync(actor, "refused", $"body={body} failInfo={FailureName(failure)} reason={reason}");
    }

    public async Task AppendAsync(string actor, string outcome, string detail)
    {
        try
        {
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "cmp", $"cmp:{actor}", outcome, detail.ReplaceLineEndings(" ")), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The answer to the client does not depend on the audit write; losing it is logged loudly instead.
            CmpLog.Failed(_logger, e);
        }
    }

    /// <summary>The name openssl prints for a PKIFailureInfo bit (lower camel case, RFC 4210 §5.2.3).</summary>
    public static string FailureName(PkiFailureInfo failure)
    {
        var name = failure.ToString();
        return failure == PkiFailureInfo.BadPop ? "badPOP" : char.ToLowerInvariant(name[0]) + name[1..];
    }
}
