using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>The PostgreSQL error codes (SQLSTATE, PostgreSQL documentation appendix A) storage reacts to.</summary>
internal static class PostgresErrors
{
    public const string UniqueViolation = "23505";
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";

    public static bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: UniqueViolation };

    /// <summary>
    /// The server rolled the transaction back for a reason that says nothing about the operations in it (two writers
    /// waiting for each other's locks, e.g. a server and the CLI under one node name): running it again succeeds.
    /// </summary>
    public static bool IsRetryable(Exception exception) =>
        exception is PostgresException { SqlState: SerializationFailure or DeadlockDetected };

    /// <summary>The connection itself failed (server restarted, network cut): not an answer about the SQL.</summary>
    public static bool IsConnectionFailure(Exception exception) =>
        exception is NpgsqlException and not PostgresException || exception is PostgresException { SqlState: ['0', '8', ..] or ['5', '7', 'P', ..] };

    /// <summary>For <see cref="StorageOutageGuard"/>: the database cannot be reached; constraint violations and bad SQL are not outages.</summary>
    public static string? Outage(Exception exception) =>
        IsConnectionFailure(exception) ? $"PostgreSQL is unreachable: {exception.Message}" : null;
}
