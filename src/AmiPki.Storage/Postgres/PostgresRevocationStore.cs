using System.Runtime.CompilerServices;
using AmiPki.Core.Audit;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// Revocations, hold releases and CRL numbers, written through this node's writer; CRL entries read on a pooled
/// connection, so every node's CRL and OCSP see a revocation made on any node once its commit returned.
/// </summary>
internal sealed class PostgresRevocationStore : IRevocationStore
{
    /// <summary>Serials revoked per statement (and how often a long revocation reports progress).</summary>
    private const int Chunk = 1_000;

    // Only a serial that may carry a signature (Signing or Issued) is revocable. An existing row is overwritten only
    // when it is a released hold, or a hold becoming final; any other revocation is final and is left alone. The whole
    // chunk is one statement; RETURNING names the serials that changed, each then audited.
    private const string Revoke = """
        INSERT INTO revocations AS r (issuer, serial_hex, reason, revoked_at, invalidity_date, released_at)
        SELECT c.issuer, c.serial_hex, $3, $4, $5, NULL
        FROM certificates c
        WHERE c.issuer = $1 AND c.serial_key = ANY ($2::text[]) AND c.state IN ('signing', 'issued')
        ON CONFLICT (issuer, serial_key) DO UPDATE
            SET reason = excluded.reason, revoked_at = excluded.revoked_at,
                invalidity_date = excluded.invalidity_date, released_at = NULL
            WHERE r.released_at IS NOT NULL OR (r.reason = 6 AND excluded.reason <> 6)
        RETURNING r.serial_key;
        """;
    private const string Release = """
        UPDATE revocations SET released_at = $3
        WHERE issuer = $1 AND serial_key = lower($2) AND reason = 6 AND released_at IS NULL;
        """;
    // The CA's row is locked by the increment until the writer commits: a node allocating next waits and sees the new
    // number, so CRL numbers only grow whichever node publishes (RFC 5280 §5.2.3).
    private const string NextCrlNumber = """
        INSERT INTO crl_numbers AS n (issuer, last_number) VALUES ($1, 1)
        ON CONFLICT (issuer) DO UPDATE SET last_number = n.last_number + 1
        RETURNING last_number;
        """;
    // Failed serials were never signed, so even if revoked while Signing they need no CRL entry. In primary-key order:
    // RFC 5280 §5.1.2.6 sets no order, and walking the key needs no sort of a full CRL (as in SQLite).
    private const string ListRevoked = """
        SELECT r.serial_hex, r.reason, r.revoked_at, r.invalidity_date, r.released_at
        FROM revocations r
        JOIN certificates c ON c.issuer = r.issuer AND c.serial_key = r.serial_key
        WHERE r.issuer = $1 AND c.state <> 'failed'
          AND (   ($2::text IS NULL AND r.released_at IS NULL)
               OR ($2::text IS NOT NULL AND r.released_at IS NULL AND r.revoked_at >= $2::text)
               OR ($2::text IS NOT NULL AND r.released_at >= $2::text))
        ORDER BY r.serial_key;
        """;

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresRevocationStore(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public Task<int> RevokeAsync(string issuer, IReadOnlyList<string> serialHexes, RevocationInfo revocation, string actor,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHexes);
        ArgumentNullException.ThrowIfNull(actor);
        var (revokedAt, invalidity, reasonDetail) = RevocationRows.ToValues(revocation);
        // A serial listed twice is revoked (and audited) once, as its second revocation with the same reason would change
        // nothing; one statement may not touch a row twice, so duplicates are dropped here, keeping the caller's order.
        var serials = new List<(string Key, string Given)>(serialHexes.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var serial in serialHexes)
        {
            ArgumentNullException.ThrowIfNull(serial, nameof(serialHexes));
            var key = serial.ToLowerInvariant();
            if (seen.Add(key))
            {
                serials.Add((key, serial));
            }
        }
        // One operation, so one transaction: the whole list is revoked durably, or (on an error) none of it.
        return _writer.EnqueueAsync(async context =>
        {
            var changed = 0;
            for (var start = 0; start < serials.Count; start += Chunk)
            {
                var part = serials.GetRange(start, Math.Min(Chunk, serials.Count - start));
                var revokedKeys = new HashSet<string>(StringComparer.Ordinal);
                await using (var command = context.Command(Revoke).Text(issuer).TextArray(part.Select(s => s.Key).ToArray())
                    .Int32((int)revocation.Reason).Text(revokedAt).Text(invalidity))
                await using (var row = await command.ExecuteReaderAsync().ConfigureAwait(false))
                {
                    while (await row.ReadAsync().ConfigureAwait(false))
                    {
                        revokedKeys.Add(row.GetString(0));
                    }
                }
                // Audited in the caller's order, as the serials were given.
                foreach (var (key, given) in part)
                {
                    if (revokedKeys.Contains(key))
                    {
                        await context.AuditAsync(new AuditEvent(context.Time.GetUtcNow(), StorageAuditKinds.Revocation, actor,
                            StorageAuditKinds.Success, $"issuer={issuer} serial={given} {reasonDetail}")).ConfigureAwait(false);
                        changed++;
                    }
                }
                if (start + part.Count < serials.Count)
                {
                    progress?.Report(changed);
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
        return _writer.EnqueueAsync(async context =>
        {
            var now = context.Time.GetUtcNow();
            await using var command = context.Command(Release).Text(issuer).Text(serialHex).Text(SqliteTime.ToText(now));
            if (await command.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
            {
                return false;
            }
            await context.AuditAsync(new AuditEvent(now, StorageAuditKinds.HoldRelease, actor, StorageAuditKinds.Success,
                $"issuer={issuer} serial={serialHex}")).ConfigureAwait(false);
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
        await using var command = _dataSource.CreateCommand(ListRevoked).Text(issuer).Text(SqliteTime.ToText(revokedSince));
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return RevocationRows.ReadEntry(row);
        }
    }

    public Task<long> NextCrlNumberAsync(string issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(NextCrlNumber).Text(issuer);
            return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        }, cancellationToken);
    }
}
