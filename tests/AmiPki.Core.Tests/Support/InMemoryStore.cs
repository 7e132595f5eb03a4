using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AmiPki.Core.Audit;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Tests.Support;

/// <summary>A store fake with only what the pipeline calls (STYLE.md: Boulder's setup()).</summary>
public sealed class InMemoryStore : IIssuanceStore, IAuditLog
{
    public ConcurrentDictionary<(string Issuer, string Serial), (IssuanceIntent Intent, CertificateState State, byte[]? Der)> Certificates { get; } = new();

    public ConcurrentQueue<AuditEvent> AuditEvents { get; } = new();

    /// <summary>Serials that TryReserve reports as taken (to exercise the collision retry).</summary>
    public int CollisionsToReport { get; set; }

    public Task<bool> TryReserveAsync(IssuanceIntent intent, CancellationToken cancellationToken)
    {
        if (CollisionsToReport > 0)
        {
            CollisionsToReport--;
            return Task.FromResult(false);
        }
        return Task.FromResult(Certificates.TryAdd((intent.Issuer, intent.SerialHex), (intent, CertificateState.Signing, null)));
    }

    public Task CompleteAsync(string issuer, string serialHex, byte[] der, string sha256Hex, AuditEvent audit, CancellationToken cancellationToken)
    {
        var current = Certificates[(issuer, serialHex)];
        Certificates[(issuer, serialHex)] = (current.Intent, CertificateState.Issued, der);
        AuditEvents.Enqueue(audit);
        return Task.CompletedTask;
    }

    public Task AbandonAsync(string issuer, string serialHex, AuditEvent audit, CancellationToken cancellationToken)
    {
        var current = Certificates[(issuer, serialHex)];
        Certificates[(issuer, serialHex)] = (current.Intent, CertificateState.Failed, null);
        AuditEvents.Enqueue(audit);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IssuanceIntent>> MarkOutcomeUnknownAsync(DateTimeOffset reservedBefore, Func<IssuanceIntent, AuditEvent> audit,
        CancellationToken cancellationToken)
    {
        var marked = new List<IssuanceIntent>();
        foreach (var (key, value) in Certificates)
        {
            if (value.State == CertificateState.Signing && value.Intent.CreatedAt < reservedBefore)
            {
                Certificates[key] = (value.Intent, CertificateState.OutcomeUnknown, null);
                AuditEvents.Enqueue(audit(value.Intent));
                marked.Add(value.Intent);
            }
        }
        return Task.FromResult<IReadOnlyList<IssuanceIntent>>(marked);
    }

    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        AuditEvents.Enqueue(auditEvent);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<AuditEntry> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }
}
