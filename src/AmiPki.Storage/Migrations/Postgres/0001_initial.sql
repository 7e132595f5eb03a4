-- AmiPki schema, version 1 (PostgreSQL dialect; the same tables, columns and meaning as Migrations/Sqlite/0001_initial.sql).
-- Times are ISO-8601 UTC text with seven fractional digits ("2026-01-02T03:04:05.0000000Z"), as in SQLite: timestamptz
-- keeps microseconds only, and the audit hash covers the event time to the .NET tick. Text columns compared or ordered
-- use COLLATE "C" (byte order), so the order does not depend on the database's locale and matches SQLite's.
-- Serial numbers, system titles and IDevID fingerprints compare case-insensitively (SQLite's COLLATE NOCASE): each has
-- a generated lower-case key column that carries the constraint, while the value keeps the letter case it was given.

CREATE TABLE cas (
    name            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    parent          TEXT,
    certificate_der BYTEA NOT NULL,
    key_provider    TEXT NOT NULL,
    key_reference   TEXT NOT NULL,
    crl_url         TEXT,
    ocsp_url        TEXT,
    ca_issuers_url  TEXT,
    created_at      TEXT COLLATE "C" NOT NULL
);

-- One row per serial ever reserved: Signing (intent recorded, a signature may exist), Issued, Failed. The primary key
-- (issuer, serial_key) is what keeps serials unique across every node sharing the database: a node reserving a serial
-- another node holds gets "not reserved" and draws a new one.
CREATE TABLE certificates (
    id               BIGINT GENERATED ALWAYS AS IDENTITY,
    issuer           TEXT COLLATE "C" NOT NULL,
    serial_hex       TEXT COLLATE "C" NOT NULL,
    serial_key       TEXT COLLATE "C" GENERATED ALWAYS AS (lower(serial_hex)) STORED,
    state            TEXT NOT NULL CHECK (state IN ('signing', 'issued', 'failed')),
    profile          TEXT COLLATE "C" NOT NULL,
    subject          TEXT COLLATE "C" NOT NULL,
    not_before       TEXT COLLATE "C" NOT NULL,
    not_after        TEXT COLLATE "C" NOT NULL,
    der              BYTEA,
    sha256_hex       TEXT,
    requester        TEXT NOT NULL,
    protocol         TEXT NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    system_title     TEXT COLLATE "C",
    dcu              TEXT COLLATE "C",
    manufacturer_lot TEXT COLLATE "C",
    device_id        TEXT,
    PRIMARY KEY (issuer, serial_key)
);

-- The filters of CertificateQuery. Lists are ordered newest first by id (PostgreSQL has no rowid), so each index ends
-- with id: "WHERE profile = $1 ORDER BY id DESC LIMIT n" reads n index entries and needs no sort.
CREATE UNIQUE INDEX ix_certificates_id ON certificates (id);
CREATE INDEX ix_certificates_issuer ON certificates (issuer, id);
CREATE INDEX ix_certificates_profile ON certificates (profile, id);
CREATE INDEX ix_certificates_not_after ON certificates (not_after);
CREATE INDEX ix_certificates_system_title ON certificates (system_title, id) WHERE system_title IS NOT NULL;
CREATE INDEX ix_certificates_dcu ON certificates (dcu, id) WHERE dcu IS NOT NULL;
CREATE INDEX ix_certificates_lot ON certificates (manufacturer_lot, id) WHERE manufacturer_lot IS NOT NULL;
CREATE INDEX ix_certificates_subject ON certificates (subject, id);
CREATE INDEX ix_certificates_signing ON certificates (id) WHERE state = 'signing';

-- A revocation per certificate. A released certificateHold keeps its row with released_at set, so a delta CRL can
-- list it as removeFromCRL; revoking it again overwrites the row.
CREATE TABLE revocations (
    issuer          TEXT COLLATE "C" NOT NULL,
    serial_hex      TEXT COLLATE "C" NOT NULL,
    serial_key      TEXT COLLATE "C" GENERATED ALWAYS AS (lower(serial_hex)) STORED,
    reason          INTEGER NOT NULL,
    revoked_at      TEXT COLLATE "C" NOT NULL,
    invalidity_date TEXT COLLATE "C",
    released_at     TEXT COLLATE "C",
    PRIMARY KEY (issuer, serial_key),
    FOREIGN KEY (issuer, serial_key) REFERENCES certificates (issuer, serial_key)
);

CREATE INDEX ix_revocations_revoked_at ON revocations (issuer, revoked_at);

CREATE TABLE devices (
    system_title     TEXT COLLATE "C" NOT NULL,
    system_title_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(system_title)) STORED PRIMARY KEY,
    idevid_sha256    TEXT COLLATE "C",
    idevid_key       TEXT COLLATE "C" GENERATED ALWAYS AS (lower(idevid_sha256)) STORED UNIQUE,
    idevid_serial    TEXT,
    manufacturer     TEXT NOT NULL,
    manufacturer_lot TEXT COLLATE "C",
    dcu              TEXT COLLATE "C",
    imported_at      TEXT COLLATE "C" NOT NULL
);

CREATE INDEX ix_devices_dcu ON devices (dcu) WHERE dcu IS NOT NULL;
CREATE INDEX ix_devices_lot ON devices (manufacturer_lot) WHERE manufacturer_lot IS NOT NULL;

CREATE TABLE enrollment_credentials (
    kind        TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    secret_hash TEXT NOT NULL,
    profiles    TEXT NOT NULL, -- JSON array of profile names
    subject     TEXT,
    expires_at  TEXT COLLATE "C",
    one_time    INTEGER NOT NULL,
    used_at     TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, name)
);

-- Hash-chained, per-node sequence (AuditChain in the core): each node appends only to its own chain, so nodes never
-- wait for each other to write audit entries. Never updated or deleted by AmiPki.
CREATE TABLE audit_log (
    node      TEXT COLLATE "C" NOT NULL,
    seq       BIGINT NOT NULL,
    at        TEXT COLLATE "C" NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash      BYTEA NOT NULL,
    PRIMARY KEY (node, seq)
);

-- The last entry of each node's chain, kept apart from the entries so a truncated log is detected. A writer locks its
-- node's row for the length of its transaction, so two processes under one node name (a server and the CLI) take turns.
CREATE TABLE audit_heads (
    node TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash BYTEA NOT NULL
);

-- One row per CA, incremented in place (UPDATE ... RETURNING under the row lock): numbers stay monotonic whichever
-- node issues the CRL (RFC 5280 §5.2.3).
CREATE TABLE crl_numbers (
    issuer      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    last_number BIGINT NOT NULL
);
