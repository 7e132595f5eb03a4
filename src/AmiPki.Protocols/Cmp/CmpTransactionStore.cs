using System.Collections.Concurrent;
using System.Text.Json;
using AmiPki.Core.Issuance;
using AmiPki.Core.Transactions;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// CMP transactions in storage (<see cref="IProtocolTransactionStore"/>), keyed by authenticated sender and
/// transactionID, so that a restart or any other node answers the next message of a transaction the same (no sticky
/// sessions): a transactionID is accepted once per sender, durably (a replay is transactionIdInUse, RFC 4210 §5.1.1);
/// each transition is a compare-and-set on the stored version, so two nodes cannot both answer one step; certificates
/// awaiting certConf are found by their deadline from storage by the sweep. Finished transactions are forgotten after
/// the replay window (bounded by time, not by a count that would refuse service).
/// </summary>
public sealed class CmpTransactionStore
{
    public const string Protocol = "cmp";

    private readonly IProtocolTransactionStore _store;

    /// <summary>
    /// The checked request of a transaction waiting for manual approval, as this node built it (it holds the requester's
    /// evidence, which storage does not): a convenience only; a poll on another node issues the approved request on
    /// behalf of its original requester instead.
    /// </summary>
    private readonly ConcurrentDictionary<string, EnrollmentRequest> _waiting = new(StringComparer.Ordinal);

    public CmpTransactionStore(IProtocolTransactionStore store)
    {
        _store = store;
    }

    public static string KeyOf(string identity, ReadOnlySpan<byte> transactionId) => $"{identity}|{Convert.ToHexString(transactionId)}";

    /// <summary>Opens a transaction durably; throws transactionIdInUse if this sender used the id before (on any node, before any restart).</summary>
    public async Task<CmpTransaction> BeginAsync(string identity, ReadOnlyMemory<byte> transactionId, DateTimeOffset now)
    {
        var transaction = new CmpTransaction(KeyOf(identity, transactionId.Span), identity, now);
        if (!await _store.TryBeginAsync(ToRecord(transaction, now, version: 1), CancellationToken.None))
        {
            throw new CmpRejection(PkiFailureInfo.TransactionIdInUse, "transactionID already used (RFC 4210 §5.1.1)");
        }
        transaction.Version = 1;
        return transaction;
    }

    public async Task<CmpTransaction?> FindAsync(string identity, ReadOnlyMemory<byte> transactionId)
    {
        var key = KeyOf(identity, transactionId.Span);
        var record = await _store.FindAsync(Protocol, key, CancellationToken.None);
        if (record is null)
        {
            return null;
        }
        var transaction = FromRecord(record);
        transaction.Enrollment = _waiting.GetValueOrDefault(key);
        return transaction;
    }

    /// <summary>
    /// Writes the transaction's new state, durably, before its answer goes out. Throws when another node (or request)
    /// changed it meanwhile: that one answered this step.
    /// </summary>
    public async Task SaveAsync(CmpTransaction transaction, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ProtocolTransaction record;
        long expected;
        lock (transaction.Lock)
        {
            expected = transaction.Version;
            record = ToRecord(transaction, now, expected + 1);
        }
        if (!await _store.TryUpdateAsync(record, expected, CancellationToken.None))
        {
            throw new CmpRejection(PkiFailureInfo.TransactionIdInUse, "this transaction was answered meanwhile by another request");
        }
        lock (transaction.Lock)
        {
            transaction.Version = expected + 1;
            if (transaction.State == CmpTransactionState.Waiting && transaction.Enrollment is { } enrollment)
            {
                _waiting[transaction.Key] = enrollment;
            }
            else
            {
                _waiting.TryRemove(transaction.Key, out _);
            }
        }
    }

    /// <summary>
    /// Marks done, once across the cluster, the certificates whose certConf deadline passed (the caller revokes them),
    /// and forgets transactions untouched for <paramref name="replayWindow"/>.
    /// </summary>
    public async Task<IReadOnlyList<CmpTransaction>> SweepAsync(DateTimeOffset now, TimeSpan replayWindow)
    {
        var expired = new List<CmpTransaction>();
        foreach (var record in await _store.ListDueAsync(Protocol, StateName(CmpTransactionState.AwaitingConfirmation), now, 1_000, CancellationToken.None))
        {
            var transaction = FromRecord(record);
            transaction.State = CmpTransactionState.Done;
            transaction.FinishedAt = now;
            // The compare-and-set makes one node (or one certConf) win; the loser leaves it alone.
            if (await _store.TryUpdateAsync(ToRecord(transaction, now, record.Version + 1), record.Version, CancellationToken.None))
            {
                expired.Add(transaction);
            }
        }
        await _store.PruneAsync(Protocol, now - replayWindow, CancellationToken.None);
        foreach (var key in _waiting.Keys)
        {
            if (await _store.FindAsync(Protocol, key, CancellationToken.None) is null)
            {
                _waiting.TryRemove(key, out _);
            }
        }
        return expired;
    }

    private static ProtocolTransaction ToRecord(CmpTransaction transaction, DateTimeOffset now, long version)
    {
        var state = new StoredState
        {
            Identity = transaction.Identity,
            CreatedAt = transaction.CreatedAt,
            LastSenderNonce = transaction.LastSenderNonce,
            State = transaction.State,
            CertReqId = transaction.CertReqId,
            RequestType = transaction.RequestType,
            ImplicitConfirmRequested = transaction.ImplicitConfirmRequested,
            PendingId = transaction.PendingId,
            Issuer = transaction.Issuer,
            SerialHex = transaction.SerialHex,
            CertificateDer = transaction.CertificateDer,
            Profile = transaction.Profile,
            SupersedesIssuer = transaction.Supersedes?.Issuer,
            SupersedesSerialHex = transaction.Supersedes?.SerialHex,
            ConfirmBy = transaction.ConfirmBy,
            FinishedAt = transaction.FinishedAt,
        };
        return new ProtocolTransaction(Protocol, transaction.Key, StateName(transaction.State), JsonSerializer.SerializeToUtf8Bytes(state, StoredState.Json),
            transaction.CreatedAt, now, transaction.State == CmpTransactionState.AwaitingConfirmation ? transaction.ConfirmBy : null, version);
    }

    private static CmpTransaction FromRecord(ProtocolTransaction record)
    {
        var state = JsonSerializer.Deserialize<StoredState>(record.Payload, StoredState.Json)
            ?? throw new InvalidOperationException($"CMP transaction {record.Key} has no stored state");
        return new CmpTransaction(record.Key, state.Identity, state.CreatedAt)
        {
            Version = record.Version,
            LastSenderNonce = state.LastSenderNonce,
            State = state.State,
            CertReqId = state.CertReqId,
            RequestType = state.RequestType,
            ImplicitConfirmRequested = state.ImplicitConfirmRequested,
            PendingId = state.PendingId,
            Issuer = state.Issuer,
            SerialHex = state.SerialHex,
            CertificateDer = state.CertificateDer,
            Profile = state.Profile,
            Supersedes = state.SupersedesIssuer is { } issuer && state.SupersedesSerialHex is { } serial ? (issuer, serial) : null,
            ConfirmBy = state.ConfirmBy,
            FinishedAt = state.FinishedAt,
        };
    }

    private static string StateName(CmpTransactionState state) => state switch
    {
        CmpTransactionState.Open => "open",
        CmpTransactionState.Waiting => "waiting",
        CmpTransactionState.AwaitingConfirmation => "awaiting-confirmation",
        _ => "done",
    };

    /// <summary>What storage keeps of a transaction (the payload); byte arrays are base64 in JSON.</summary>
    private sealed class StoredState
    {
        public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        public string Identity { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public byte[]? LastSenderNonce { get; set; }

        public CmpTransactionState State { get; set; }

        public int CertReqId { get; set; }

        public PkiBodyType RequestType { get; set; }

        public bool ImplicitConfirmRequested { get; set; }

        public string? PendingId { get; set; }

        public string? Issuer { get; set; }

        public string? SerialHex { get; set; }

        public byte[]? CertificateDer { get; set; }

        public string? Profile { get; set; }

        public string? SupersedesIssuer { get; set; }

        public string? SupersedesSerialHex { get; set; }

        public DateTimeOffset ConfirmBy { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }
    }
}
