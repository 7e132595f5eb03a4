using AmiPki.Core.Storage;

namespace AmiPki.Storage.Sqlite;

/// <summary>Certificate lookups on the read connections: one primary-key query for OCSP, indexed filters for listings.</summary>
internal sealed class SqliteCertificateReader : ICertificateReader
{
    private const string FindSql = CertificateRows.SelectFrom + "\nWHERE c.issuer = @issuer AND c.serial_hex = @serial;";

    private readonly SqliteReadPool _reads;

    public SqliteCertificateReader(SqliteReadPool reads) => _reads = reads;

    public Task<CertificateRecord?> FindAsync(string issuer, string serialHex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        cancellationToken.ThrowIfCancellationRequested();
        // SQLite answers from its page cache in microseconds; an async hop would cost more than the query.
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(FindSql).Set("@issuer", issuer).Set("@serial", serialHex).ExecuteReader();
        return Task.FromResult(row.Read() ? CertificateRows.Read(row) : null);
    }

    public Task<IReadOnlyList<CertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        using var command = lease.Connection.Connection.CreateCommand();
        var where = new List<string>();
        void Filter(string condition, string name, object? value)
        {
            if (value is not null)
            {
                where.Add(condition);
                command.Parameters.AddWithValue(name, value);
            }
        }
        Filter("c.issuer = @issuer", "@issuer", query.Issuer);
        Filter("c.profile = @profile", "@profile", query.Profile);
        if (query.State is { } state)
        {
            where.Add(CertificateStates.Condition(state));
        }
        Filter("c.not_after < @expiring_before", "@expiring_before", SqliteTime.ToText(query.ExpiringBefore));
        Filter("c.system_title = @system_title", "@system_title", query.SystemTitle);
        Filter("c.dcu = @dcu", "@dcu", query.Dcu);
        Filter("c.manufacturer_lot = @lot", "@lot", query.ManufacturerLot);
        Filter("c.subject = @subject", "@subject", query.Subject);
        if (query.Revoked is { } revoked)
        {
            where.Add(revoked ? "r.serial_hex IS NOT NULL" : "r.serial_hex IS NULL");
        }
        command.CommandText = CertificateRows.SelectFrom
            + (where.Count > 0 ? "\nWHERE " + string.Join(" AND ", where) : "")
            // Newest first by insertion order (the rowid), which every index carries: no sort, and stable paging.
            + "\nORDER BY c.rowid DESC LIMIT @limit OFFSET @offset;";
        command.Parameters.AddWithValue("@limit", query.Limit);
        command.Parameters.AddWithValue("@offset", query.Offset);
        var records = new List<CertificateRecord>();
        using var row = command.ExecuteReader();
        while (row.Read())
        {
            records.Add(CertificateRows.Read(row));
        }
        return Task.FromResult<IReadOnlyList<CertificateRecord>>(records);
    }
}
