using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using System.Data.Common;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// The one SELECT list for a certificate with its active revocation (a released hold is not one), and its mapping to
/// <see cref="CertificateRecord"/>; shared by the lookup and the listing so both always read the same way.
/// </summary>
internal static class CertificateRows
{
    public const string SelectFrom = """
        SELECT c.issuer, c.serial_hex, c.state, c.profile, c.subject, c.not_before, c.not_after, c.der, c.sha256_hex,
               c.requester, c.protocol, c.created_at, c.system_title, c.dcu, c.manufacturer_lot, c.device_id,
               r.reason, r.revoked_at, r.invalidity_date, c.outcome_unknown_at, c.tbs_der
        FROM certificates c
        LEFT JOIN revocations r ON r.issuer = c.issuer AND r.serial_hex = c.serial_hex AND r.released_at IS NULL
        """;

    /// <summary>Maps one row of the columns <see cref="SelectFrom"/> lists (both dialects select the same columns in this order).</summary>
    public static CertificateRecord Read(DbDataReader row)
    {
        RevocationInfo? revocation = row.IsDBNull(16)
            ? null
            : new RevocationInfo((RevocationReason)row.GetInt32(16), SqliteTime.FromText(row.GetString(17)),
                row.IsDBNull(18) ? null : SqliteTime.FromText(row.GetString(18)));
        return new CertificateRecord(
            Issuer: row.GetString(0),
            SerialHex: row.GetString(1),
            State: CertificateStates.FromText(row.GetString(2), outcomeUnknown: !row.IsDBNull(19)),
            Profile: row.GetString(3),
            Subject: row.GetString(4),
            NotBefore: SqliteTime.FromText(row.GetString(5)),
            NotAfter: SqliteTime.FromText(row.GetString(6)),
            Der: row.IsDBNull(7) ? null : (byte[])row.GetValue(7),
            Sha256Hex: NullableString(row, 8),
            Requester: row.GetString(9),
            Protocol: row.GetString(10),
            CreatedAt: SqliteTime.FromText(row.GetString(11)),
            SystemTitle: NullableString(row, 12),
            Dcu: NullableString(row, 13),
            ManufacturerLot: NullableString(row, 14),
            DeviceId: NullableString(row, 15),
            Revocation: revocation,
            TbsDer: row.IsDBNull(20) ? null : (byte[])row.GetValue(20));
    }

    private static string? NullableString(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
