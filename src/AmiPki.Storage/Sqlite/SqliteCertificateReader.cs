using AmiPki.Core.Storage;
using AmiPki.Storage.Rows;

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
        var where = CertificateFilters.Where(query, "r.serial_hex", (name, value) =>
        {
            command.Parameters.AddWithValue("@" + name, value);
            return "@" + name;
        });
        command.CommandText = CertificateRows.SelectFrom + where
            // Newest first by insertion order (the rowid), which every index carries: no sort, and stable paging.
            + "\nORDER BY c.rowid DESC LIMIT @limit OFFSET @offset;";
        command.Parameters.AddWithValue("@limit", query.Limit);
        command.Parameters.AddWithValue("@offset", query.Offset);
        using var row = command.ExecuteReader();
        return Task.FromResult<IReadOnlyList<CertificateRecord>>(row.ToList(CertificateRows.Read));
    }
}
