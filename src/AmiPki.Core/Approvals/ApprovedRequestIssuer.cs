using AmiPki.Core.Issuance;

namespace AmiPki.Core.Approvals;

/// <summary>
/// Issues an approved held request exactly once, for every protocol (RFC 7030 §4.2.3, RFC 4210 §5.3.22, RFC 8894
/// §3.3.3): every repeat of the request gets the same certificate. Within a process the polls of one request queue
/// behind each other; across nodes the store's Approved → Issued compare-and-set decides, and a node that lost the race
/// revokes its own copy as superseded and answers with the winner's certificate, so one approval never leaves two
/// valid certificates.
/// </summary>
public sealed class ApprovedRequestIssuer
{
    private readonly IssuanceService _issuance;
    private readonly IPendingRequestStore _store;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ApprovedRequestIssuer(IssuanceService issuance, IPendingRequestStore store)
    {
        _issuance = issuance;
        _store = store;
    }

    /// <param name="request">The request as repeated by its client (its evidence is authorized again), or built for the held one.</param>
    /// <exception cref="IssuanceRefusal">The request is no longer approved, or the pipeline refused it (audited).</exception>
    public async Task<ApprovedIssuance> IssueOnceAsync(string id, EnrollmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            var current = await _store.FindAsync(id, CancellationToken.None);
            if (current is { State: PendingRequestState.Issued } && Issued(current) is { } done)
            {
                return done;
            }
            if (current is not { State: PendingRequestState.Approved, DecidedBy: { } approvedBy })
            {
                throw new IssuanceRefusal(RefusalKind.NotAuthorized, $"request {id} is {current?.State.ToString().ToLowerInvariant() ?? "gone"}, not approved");
            }
            var issued = await _issuance.IssueAsync(request with { ApprovedBy = approvedBy }, cancellationToken);
            if (await _store.MarkIssuedAsync(id, issued.Issuer.Name, issued.SerialHex, issued.Der, CancellationToken.None))
            {
                return new ApprovedIssuance(issued.Issuer.Name, issued.SerialHex, issued.Der, issued.PendingSupersession);
            }
            // Another node issued this approval first: one certificate per approval, so ours goes.
            await _issuance.RevokeDuplicateAsync(issued, $"approval:{id}");
            var winner = await _store.FindAsync(id, CancellationToken.None);
            return (winner is null ? null : Issued(winner))
                ?? throw new InvalidOperationException($"request {id} is marked issued by another node but holds no certificate");
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ApprovedIssuance? Issued(PendingRequest request) => request is { Issuer: { } issuer, SerialHex: { } serial, CertificateDer: { } der }
        ? new ApprovedIssuance(issuer, serial, der, null)
        : null;
}
