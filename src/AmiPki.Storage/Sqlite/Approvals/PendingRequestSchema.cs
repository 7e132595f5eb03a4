namespace AmiPki.Storage.Sqlite.Approvals;

/// <summary>
/// The pending_requests table. Applied idempotently when the store opens: the migration catalog numbers scripts
/// 1, 2, 3, ... without gaps, so this table becomes a numbered migration when the storage owner assigns it a number;
/// until then <c>IF NOT EXISTS</c> makes opening safe on any database, old or new.
/// </summary>
internal static class PendingRequestSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS pending_requests (
            id              TEXT NOT NULL PRIMARY KEY,
            protocol        TEXT NOT NULL,
            profile         TEXT NOT NULL,
            requester       TEXT NOT NULL,
            subject         TEXT NOT NULL,
            csr_der         BLOB NOT NULL,
            renewing_der    BLOB,
            device_detail   TEXT,
            state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'issued')),
            created_at      TEXT NOT NULL,
            decided_at      TEXT,
            decided_by      TEXT,
            reason          TEXT,
            issuer          TEXT,
            serial_hex      TEXT,
            certificate_der BLOB
        );
        CREATE INDEX IF NOT EXISTS pending_requests_state ON pending_requests (state, created_at);
        """;
}
