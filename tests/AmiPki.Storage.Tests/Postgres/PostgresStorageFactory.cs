using AmiPki.Storage.Postgres;
using AmiPki.Storage.Tests.Contract;
using Npgsql;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>
/// A fresh schema in the run's PostgreSQL cluster for one test (the connection string's search path points at it, as an
/// operator could to share one database between instances), dropped with everything in it at the end.
/// </summary>
public sealed class PostgresStorageFactory : StorageFactory
{
    private readonly SemaphoreSlim _creating = new(1, 1);
    private string? _connectionString;
    private string? _adminConnectionString;

    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N");

    /// <summary>The connection string of the test's schema (created on first use).</summary>
    public async Task<string> ConnectionStringAsync()
    {
        await _creating.WaitAsync();
        try
        {
            if (_connectionString is null)
            {
                var cluster = await PostgresTestCluster.SharedAsync();
                _adminConnectionString = cluster.ConnectionString;
                await ExecuteAsync(_adminConnectionString, $"CREATE SCHEMA {Schema};");
                // A small pool per storage: a test opens several storages at once, all on one cluster of 200 connections.
                _connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { SearchPath = Schema, MaxPoolSize = 20 }.ToString();
            }
            return _connectionString;
        }
        finally
        {
            _creating.Release();
        }
    }

    public async Task<PostgresStorage> OpenStorageAsync(string node, TimeProvider time) =>
        await PostgresStorage.OpenAsync(await ConnectionStringAsync(), node, time, CancellationToken.None);

    public override async Task<IAmiPkiStorage> OpenAsync(string node, TimeProvider time) => await OpenStorageAsync(node, time);

    public override async Task ExecuteRawAsync(string sql) => await ExecuteAsync(await ConnectionStringAsync(), sql);

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_adminConnectionString is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(_adminConnectionString, $"DROP SCHEMA {Schema} CASCADE;");
        }
        _creating.Dispose();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
