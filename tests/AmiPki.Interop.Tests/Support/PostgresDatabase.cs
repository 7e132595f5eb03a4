using AmiPki.Storage.Tests.Postgres;
using Npgsql;

namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// A fresh database in the run's throwaway PostgreSQL cluster (<see cref="PostgresTestCluster"/>, started on first use by
/// <c>scripts/postgres-test-cluster.sh</c>), for <c>amipki serve</c> processes given its connection string in
/// <c>AMIPKI_POSTGRES</c>; dropped at the end.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private PostgresDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>The database's Npgsql connection string (superuser of a trust-only loopback cluster: no password).</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var cluster = await PostgresTestCluster.SharedAsync();
        var name = "amipki_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(cluster.ConnectionString, $"CREATE DATABASE {name};");
        var connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = name }.ToString();
        return new PostgresDatabase(cluster.ConnectionString, name, connectionString);
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // FORCE: a killed server's sessions may linger until PostgreSQL notices they are gone.
        await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE);");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
