namespace AmiPki.Core.Approvals;

/// <summary>Requests waiting for manual approval. Every write is durable when the task completes.</summary>
public interface IPendingRequestStore
{
    /// <summary>Records a new pending request, or returns the one already recorded under the same id (the client retried).</summary>
    Task<PendingRequest> SubmitAsync(PendingRequest request, CancellationToken cancellationToken);

    Task<PendingRequest?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Requests in a state (null: all), oldest first.</summary>
    Task<IReadOnlyList<PendingRequest>> ListAsync(PendingRequestState? state, int limit, CancellationToken cancellationToken);

    /// <summary>Pending → Approved or Rejected. False if the request is unknown or already decided.</summary>
    Task<bool> DecideAsync(string id, bool approve, string actor, string? reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Approved → Issued with the certificate. False if it was not Approved (another node issued it first).</summary>
    Task<bool> MarkIssuedAsync(string id, string issuer, string serialHex, byte[] certificateDer, CancellationToken cancellationToken);
}
