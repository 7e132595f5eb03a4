-- AmiPki schema, version 1 (SQLite dialect).
-- Times are ISO-8601 UTC text with seven fractional digits ("2026-01-02T03:04:05.0000000Z"): fixed width, so text
-- order is time order, and .NET ticks round-trip exactly (the audit hash covers the event time to the tick).
-- Serial numbers compare case-insensitively: the same serial in upper or lower case hex is the same certificate.

CREATE TABLE cas (
    name            TEXT NOT NULL PRIMARY KEY,
    parent          TEXT,
    certificate_der BLOB NOT NULL,
    key_provider    TEXT NOT NULL,
    key_reference   TEXT NOT NULL,
    crl_url         TEXT,
    ocsp_url        TEXT,
    ca_issuers_url  TEXT,
    created_at      TEXT NOT NULL
);

-- One row per serial ever reserved: Signing (intent recorded, a signature may exist), Issued, Failed.
CREATE TABLE certificates (
    issuer           TEXT NOT NULL,
    serial_hex       TEXT NOT NULL COLLATE NOCASE,
    state            TEXT NOT NULL CHECK (state IN ('signing', 'issued', 'failed')),
    profile          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    not_before       TEXT NOT NULL,
    not_after        TEXT NOT NULL,
    der              BLOB,
    sha256_hex       TEXT,
    requester        TEXT NOT NULL,
    protocol         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    system_title     TEXT,
    dcu              TEXT,
    manufacturer_lot TEXT,
    device_id        TEXT,
    PRIMARY KEY (issuer, serial_hex)
);

-- The filters of CertificateQuery. Lists are ordered newest first by rowid (insertion order), which every index
-- carries implicitly, so "WHERE profile = ? ORDER BY rowid DESC LIMIT n" reads n index entries and no sort is needed;
-- indexing created_at as well would cost every reservation one more index write for nothing.
CREATE INDEX ix_certificates_profile ON certificates (profile);
CREATE INDEX ix_certificates_not_after ON certificates (not_after);
CREATE INDEX ix_certificates_system_title ON certificates (system_title) WHERE system_title IS NOT NULL;
CREATE INDEX ix_certificates_dcu ON certificates (dcu) WHERE dcu IS NOT NULL;
CREATE INDEX ix_certificates_lot ON certificates (manufacturer_lot) WHERE manufacturer_lot IS NOT NULL;
CREATE INDEX ix_certificates_subject ON certificates (subject);

-- A revocation per certificate. A released certificateHold keeps its row with released_at set, so a delta CRL can
-- list it as removeFromCRL; revoking it again overwrites the row.
CREATE TABLE revocations (
    issuer          TEXT NOT NULL,
    serial_hex      TEXT NOT NULL COLLATE NOCASE,
    reason          INTEGER NOT NULL,
    revoked_at      TEXT NOT NULL,
    invalidity_date TEXT,
    released_at     TEXT,
    PRIMARY KEY (issuer, serial_hex),
    FOREIGN KEY (issuer, serial_hex) REFERENCES certificates (issuer, serial_hex)
);

CREATE INDEX ix_revocations_revoked_at ON revocations (issuer, revoked_at);

CREATE TABLE devices (
    system_title     TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
    idevid_sha256    TEXT UNIQUE COLLATE NOCASE,
    idevid_serial    TEXT,
    manufacturer     TEXT NOT NULL,
    manufacturer_lot TEXT,
    dcu              TEXT,
    imported_at      TEXT NOT NULL
);

CREATE INDEX ix_devices_dcu ON devices (dcu) WHERE dcu IS NOT NULL;
CREATE INDEX ix_devices_lot ON devices (manufacturer_lot) WHERE manufacturer_lot IS NOT NULL;

CREATE TABLE enrollment_credentials (
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    profiles    TEXT NOT NULL, -- JSON array of profile names
    subject     TEXT,
    expires_at  TEXT,
    one_time    INTEGER NOT NULL,
    used_at     TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);

-- Hash-chained, per-node sequence (AuditChain in the core). Never updated or deleted by AmiPki.
CREATE TABLE audit_log (
    node      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL,
    PRIMARY KEY (node, seq)
);

-- The last entry of each node's chain, kept apart from the entries so a truncated log is detected.
CREATE TABLE audit_heads (
    node TEXT NOT NULL PRIMARY KEY,
    seq  INTEGER NOT NULL,
    hash BLOB NOT NULL
);

CREATE TABLE crl_numbers (
    issuer      TEXT NOT NULL PRIMARY KEY,
    last_number INTEGER NOT NULL
);
