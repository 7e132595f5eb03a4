namespace AmiPki.Storage;

/// <summary>
/// Where an instance's database is: a PostgreSQL connection string when one is configured (several nodes share it),
/// otherwise the embedded SQLite file in the data directory.
/// </summary>
public sealed record StorageLocation
{
    private StorageLocation(string? sqlitePath, string? postgresConnectionString)
    {
        SqlitePath = sqlitePath;
        PostgresConnectionString = postgresConnectionString;
    }

    /// <summary>The SQLite database file, or null for PostgreSQL.</summary>
    public string? SqlitePath { get; }

    /// <summary>The Npgsql connection string, or null for SQLite.</summary>
    public string? PostgresConnectionString { get; }

    public bool IsPostgres => PostgresConnectionString is not null;

    public static StorageLocation Sqlite(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return new StorageLocation(databasePath, null);
    }

    public static StorageLocation Postgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new StorageLocation(null, connectionString);
    }

    /// <summary>PostgreSQL if <paramref name="postgresConnectionString"/> is set, else SQLite at <paramref name="sqlitePath"/>.</summary>
    public static StorageLocation Choose(string? postgresConnectionString, string sqlitePath) =>
        string.IsNullOrWhiteSpace(postgresConnectionString) ? Sqlite(sqlitePath) : Postgres(postgresConnectionString);

    /// <summary>For logs: the file, or the PostgreSQL host and database (never the password).</summary>
    public override string ToString()
    {
        if (PostgresConnectionString is null)
        {
            return $"sqlite {SqlitePath}";
        }
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString);
            return $"postgres {builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "postgres (unparsable connection string)";
        }
    }
}
