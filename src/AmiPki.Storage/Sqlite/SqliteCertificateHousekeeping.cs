using AmiPki.Core.Storage;

namespace AmiPki.Storage.Sqlite;

/// <summary>Marks expired certificates (column <c>expired_at</c>); the not_after index finds them.</summary>
internal sealed class SqliteCertificateHousekeeping : ICertificateHousekeeping
{
    private const string MarkExpired = """
        UPDATE certificates SET expired_at = @now
        WHERE not_after <= @now AND expired_at IS NULL AND state = 'issued';
        """;

    private readonly Writing.SqliteWriter _writer;

    public SqliteCertificateHousekeeping(Writing.SqliteWriter writer) => _writer = writer;

    public Task<int> MarkExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.EnqueueAsync(context => context.Command(MarkExpired).Set("@now", SqliteTime.ToText(now)).ExecuteNonQuery(), cancellationToken);
}
