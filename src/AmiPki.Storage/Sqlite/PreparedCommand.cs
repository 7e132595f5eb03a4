using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// A statement prepared once per connection and run many times with new parameter values: at tens of thousands of writes
/// a second, parsing SQL and allocating parameters per write would cost more than the write itself.
/// </summary>
internal sealed partial class PreparedCommand : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly Dictionary<string, SqliteParameter> _parameters = new(StringComparer.Ordinal);

    public PreparedCommand(SqliteConnection connection, string sql)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        foreach (Match match in ParameterName().Matches(sql))
        {
            if (!_parameters.ContainsKey(match.Value))
            {
                _parameters[match.Value] = _command.Parameters.Add(new SqliteParameter(match.Value, DBNull.Value));
            }
        }
        _command.Prepare();
    }

    public PreparedCommand Set(string name, object? value)
    {
        _parameters[name].Value = value ?? DBNull.Value;
        return this;
    }

    public int ExecuteNonQuery() => _command.ExecuteNonQuery();

    public object? ExecuteScalar()
    {
        var value = _command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public SqliteDataReader ExecuteReader() => _command.ExecuteReader();

    public void Dispose() => _command.Dispose();

    [GeneratedRegex(@"@[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}
