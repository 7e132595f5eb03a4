using System.Runtime.CompilerServices;
using AmiPki.Core.Audit;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;

namespace AmiPki.Storage.Sqlite;

/// <summary>Revocations, hold releases and CRL numbers: written through the writer, CRL entries read on a read connection.</summary>
internal sealed class SqliteRevocationStore : IRevocationStore
{
    /// <summary>How often a long revocation reports progress.</summary>
    private const int ProgressEvery = 1_000;

    // Only a serial that may carry a signature (Signing or Issued) is revocable. An existing row is overwritten only
    // when it is a released hold, or a hold becoming final; any other revocation is final and is left alone.
    private const string Revoke = """
        INSERT INTO revocations (issuer, serial_hex, reason, revoked_at, invalidity_date, released_at)
        SELECT c.issuer, c.serial_hex, ?3, ?4, ?5, NULL
        FROM certificates c
        WHERE c.issuer = ?1 AND c.serial_hex = ?2 AND c.state IN ('signing', 'issued')
        ON CONFLICT (issuer, serial_hex) DO UPDATE
            SET reason = excluded.reason, revoked_at = excluded.revoked_at,
                invalidity_date = excluded.invalidity_date, released_at = NULL
            WHERE revocations.released_at IS NOT NULL OR (revocations.reason = 6 AND excluded.reason <> 6);
        """;
    private const string Release = """
        UPDATE revocations SET released_at = @at
        WHERE issuer = @issuer AND serial_hex = @serial AND reason = 6 AND released_at IS NULL;
        """;
    private const string NextCrlNumber = """
        INSERT INTO crl_numbers (issuer, last_number) VALUES (@issuer, 1)
        ON CONFLICT (issuer) DO UPDATE SET last_number = last_number + 1
        RETURNING last_number;
        """;
    // Failed serials were never signed, so even if revoked while Signing they need no CRL entry. In revocation-time order
    // (RFC 5280 §5.1.2.6 sets none): rows were written in that order, so the table is read sequentially; key order (random
    // serials) measured slower on a million entries (13.2 s against 10.5 s) for the random page reads it causes.
    private const string ListRevoked = """
        SELECT r.serial_hex, r.reason, r.revoked_at, r.invalidity_date, r.released_at
        FROM revocations r
        JOIN certificates c ON c.issuer = r.issuer AND c.serial_hex = r.serial_hex
        WHERE r.issuer = @issuer AND c.state <> 'failed'
          AND (   (@since IS NULL AND r.released_at IS NULL)
               OR (@since IS NOT NULL AND r.released_at IS NULL AND r.revoked_at >= @since)
               OR (@since IS NOT NULL AND r.released_at >= @since))
        ORDER BY r.revoked_at, r.serial_hex;
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteRevocationStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task<int> RevokeAsync(string issuer, IReadOnlyList<string> serialHexes, RevocationInfo revocation, string actor,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHexes);
        ArgumentNullException.ThrowIfNull(actor);
        var (revokedAt, invalidity, reasonDetail) = RevocationRows.ToValues(revocation);
        // One operation, so one transaction: the whole list is revoked durably, or (on an error) none of it.
        return _writer.EnqueueAsync(context =>
        {
            var statement = context.Statement(Revoke);
            var changed = 0;
            for (var i = 0; i < serialHexes.Count; i++)
            {
                var serial = serialHexes[i];
                if (statement.Bind(1, issuer).Bind(2, serial).Bind(3, (long)revocation.Reason).Bind(4, revokedAt).Bind(5, invalidity).Execute() == 1)
                {
                    context.Audit(new AuditEvent(context.Time.GetUtcNow(), StorageAuditKinds.Revocation, actor, StorageAuditKinds.Success,
                        $"issuer={issuer} serial={serial} {reasonDetail}"));
                    changed++;
                }
                if (progress is not null && (i + 1) % ProgressEvery == 0)
                {
                    progress.Report(changed);
                }
            }
            progress?.Report(changed);
            return changed;
        }, cancellationToken);
    }

    public Task<bool> ReleaseHoldAsync(string issuer, string serialHex, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        ArgumentNullException.ThrowIfNull(actor);
        return _writer.EnqueueAsync(context =>
        {
            var now = context.Time.GetUtcNow();
            if (context.Command(Release).Set("@issuer", issuer).Set("@serial", serialHex).Set("@at", SqliteTime.ToText(now)).ExecuteNonQuery() != 1)
            {
                return false;
            }
            context.Audit(new AuditEvent(now, StorageAuditKinds.HoldRelease, actor, StorageAuditKinds.Success, $"issuer={issuer} serial={serialHex}"));
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Without <paramref name="revokedSince"/>: every certificate revoked now (a full CRL). With it (a delta CRL):
    /// the revocations made since then, and the holds released since then, the latter with reason
    /// <see cref="RevocationReason.RemoveFromCrl"/> (RFC 5280 §5.3.1) and their original revocation time.
    /// </summary>
    public async IAsyncEnumerable<RevokedEntry> ListRevokedAsync(string issuer, DateTimeOffset? revokedSince,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        using var lease = _reads.Rent();
        using var command = lease.Connection.Connection.CreateCommand();
        command.CommandText = ListRevoked;
        command.Parameters.AddWithValue("@issuer", issuer);
        command.Parameters.AddWithValue("@since", (object?)SqliteTime.ToText(revokedSince) ?? DBNull.Value);
        using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return RevocationRows.ReadEntry(row);
        }
    }

    public Task<long> NextCrlNumberAsync(string issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return _writer.EnqueueAsync(context => Convert.ToInt64(context.Command(NextCrlNumber).Set("@issuer", issuer).ExecuteScalar(),
            System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
    }
}
