using AmiPki.Core.Crl;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;

namespace AmiPki.Storage.Sqlite.Crl;

/// <summary>
/// Published CRLs (table <c>published_crls</c>, migration 0010). Writes go through the group-committing writer and are
/// durable when their task completes; reads use the read connections, so a CRL published by the CLI or another process on
/// the same file is visible to the next read. The newest-number lookup is one seek on the primary key.
/// </summary>
internal sealed class SqlitePublishedCrlStore : IPublishedCrlStore
{
    private const string Insert = """
        INSERT INTO published_crls (issuer, kind, number, delta_base, this_update, next_update, entry_count, der)
        VALUES (@issuer, @kind, @number, @delta_base, @this_update, @next_update, @entry_count, @der)
        ON CONFLICT (issuer, kind, number) DO NOTHING;
        """;
    private const string LatestNumber = "SELECT max(number) FROM published_crls WHERE issuer = @issuer AND kind = @kind;";
    private const string Latest = "SELECT " + PublishedCrlRows.Columns + """
         FROM published_crls WHERE issuer = @issuer AND kind = @kind ORDER BY number DESC LIMIT 1;
        """;
    private const string Prune = """
        DELETE FROM published_crls WHERE issuer = @issuer AND kind = @kind AND number <
            (SELECT min(number) FROM (SELECT number FROM published_crls WHERE issuer = @issuer AND kind = @kind ORDER BY number DESC LIMIT @keep));
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    /// <param name="writer">The storage's writer, which the storage (not this store) closes; likewise <paramref name="reads"/>.</param>
    public SqlitePublishedCrlStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task<bool> SaveAsync(PublishedCrl crl, CancellationToken cancellationToken)
    {
        PublishedCrlRows.Validate(crl);
        return _writer.EnqueueAsync(context => context.Command(Insert)
            .Set("@issuer", crl.Issuer)
            .Set("@kind", PublishedCrlRows.Kind(crl.IsDelta))
            .Set("@number", crl.Number)
            .Set("@delta_base", crl.DeltaBaseNumber)
            .Set("@this_update", SqliteTime.ToText(crl.ThisUpdate))
            .Set("@next_update", SqliteTime.ToText(crl.NextUpdate))
            .Set("@entry_count", crl.EntryCount)
            .Set("@der", crl.Der)
            .ExecuteNonQuery() == 1, cancellationToken);
    }

    public Task<long?> LatestNumberAsync(string issuer, bool delta, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        var value = lease.Connection.Command(LatestNumber).Set("@issuer", issuer).Set("@kind", PublishedCrlRows.Kind(delta)).ExecuteScalar();
        return Task.FromResult(value is null ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<PublishedCrl?> FindLatestAsync(string issuer, bool delta, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(Latest).Set("@issuer", issuer).Set("@kind", PublishedCrlRows.Kind(delta)).ExecuteReader();
        return Task.FromResult(row.Read() ? PublishedCrlRows.Read(row) : null);
    }

    public Task<int> PruneAsync(string issuer, bool delta, int keep, CancellationToken cancellationToken)
    {
        PublishedCrlRows.ValidatePrune(issuer, keep);
        var kind = PublishedCrlRows.Kind(delta);
        return _writer.EnqueueAsync(context => context.Command(Prune).Set("@issuer", issuer).Set("@kind", kind).Set("@keep", keep).ExecuteNonQuery(),
            cancellationToken);
    }
}
