using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// The one SELECT list for a certificate with its active revocation (a released hold is not one), shared by the lookup
/// and the listing; its rows map with the dialect-free <see cref="CertificateRows.Read"/>: only the SQL differs.
/// </summary>
internal static class PostgresCertificateRows
{
    public const string SelectFrom = """
        SELECT c.issuer, c.serial_hex, c.state, c.profile, c.subject, c.not_before, c.not_after, c.der, c.sha256_hex,
               c.requester, c.protocol, c.created_at, c.system_title, c.dcu, c.manufacturer_lot, c.device_id,
               r.reason, r.revoked_at, r.invalidity_date, c.outcome_unknown_at, c.tbs_der
        FROM certificates c
        LEFT JOIN revocations r ON r.issuer = c.issuer AND r.serial_key = c.serial_key AND r.released_at IS NULL
        """;
}
