using Npgsql;
using NpgsqlTypes;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// Positional parameters ($1, $2, ...) with explicit types: a null still tells PostgreSQL its type, and the statement text
/// and parameter types stay the same from call to call, so Npgsql's automatic preparation reuses one server-side plan.
/// </summary>
internal static class PostgresParameters
{
    public static NpgsqlCommand Text(this NpgsqlCommand command, string? value) => command.Add(NpgsqlDbType.Text, value);

    public static NpgsqlCommand Bytes(this NpgsqlCommand command, byte[]? value) => command.Add(NpgsqlDbType.Bytea, value);

    public static NpgsqlCommand Int64(this NpgsqlCommand command, long value) => command.Add(NpgsqlDbType.Bigint, value);

    public static NpgsqlCommand Int32(this NpgsqlCommand command, int value) => command.Add(NpgsqlDbType.Integer, value);

    public static NpgsqlCommand TextArray(this NpgsqlCommand command, string[] value) => command.Add(NpgsqlDbType.Array | NpgsqlDbType.Text, value);

    public static NpgsqlCommand Int64Array(this NpgsqlCommand command, long[] value) => command.Add(NpgsqlDbType.Array | NpgsqlDbType.Bigint, value);

    public static NpgsqlCommand BytesArray(this NpgsqlCommand command, byte[][] value) => command.Add(NpgsqlDbType.Array | NpgsqlDbType.Bytea, value);

    public static NpgsqlBatchCommand Text(this NpgsqlBatchCommand command, string? value) => command.Add(NpgsqlDbType.Text, value);

    public static NpgsqlBatchCommand Bytes(this NpgsqlBatchCommand command, byte[]? value) => command.Add(NpgsqlDbType.Bytea, value);

    public static NpgsqlBatchCommand Int32(this NpgsqlBatchCommand command, int value) => command.Add(NpgsqlDbType.Integer, value);

    private static NpgsqlCommand Add(this NpgsqlCommand command, NpgsqlDbType type, object? value)
    {
        command.Parameters.Add(Parameter(type, value));
        return command;
    }

    private static NpgsqlBatchCommand Add(this NpgsqlBatchCommand command, NpgsqlDbType type, object? value)
    {
        command.Parameters.Add(Parameter(type, value));
        return command;
    }

    private static NpgsqlParameter Parameter(NpgsqlDbType type, object? value) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
