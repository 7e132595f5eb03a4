using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite;

/// <summary>A pooled read-only connection with its own prepared statements (the OCSP lookup runs on every request).</summary>
internal sealed class SqliteReadConnection : IDisposable
{
    private readonly Dictionary<string, PreparedCommand> _commands = new(StringComparer.Ordinal);

    public SqliteReadConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    public PreparedCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = new PreparedCommand(Connection, sql);
            _commands.Add(sql, command);
        }
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
        Connection.Dispose();
    }
}
