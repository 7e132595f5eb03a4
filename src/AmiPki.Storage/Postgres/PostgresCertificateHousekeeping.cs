using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Postgres;

/// <summary>Marks expired certificates (column <c>expired_at</c>); the not_after index finds them.</summary>
internal sealed class PostgresCertificateHousekeeping : ICertificateHousekeeping
{
    private const string MarkExpired = """
        UPDATE certificates SET expired_at = $1
        WHERE not_after <= $1 AND expired_at IS NULL AND state = 'issued';
        """;

    private readonly PostgresWriter _writer;

    public PostgresCertificateHousekeeping(PostgresWriter writer) => _writer = writer;

    public Task<int> MarkExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowText = SqliteTime.ToText(now);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(MarkExpired).Text(nowText);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }
}
