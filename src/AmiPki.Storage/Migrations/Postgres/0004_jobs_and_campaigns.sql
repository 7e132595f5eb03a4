-- Scheduled jobs and renewal campaigns (issue 9); the same tables, columns and meaning as
-- Migrations/Sqlite/0004_jobs_and_campaigns.sql (times as text, see 0001_initial.sql).

-- One row per scheduled job: when it last ran and when it is next due. The scheduler reads it at start, so a job that
-- fell due while AmiPki was stopped runs at once (one catch-up run, however many intervals were missed).
-- PostgreSQL only: lease_owner/lease_until, the node running the job now and until when its claim holds. Every node's
-- scheduler fires every job; only the node that takes the lease of a due job runs it (once per cluster, not per node).
CREATE TABLE job_schedule (
    name             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    next_due_at      TEXT COLLATE "C" NOT NULL,
    last_started_at  TEXT COLLATE "C",
    last_finished_at TEXT COLLATE "C",
    last_outcome     TEXT,
    last_detail      TEXT,
    runs             BIGINT NOT NULL,
    failures         BIGINT NOT NULL,
    lease_owner      TEXT COLLATE "C",
    lease_until      TEXT COLLATE "C"
);

-- One row per certificate a renewal campaign picked up: when the head-end should renew it (spread per DCU) and how
-- far that got. dcu is '' for a certificate of no DCU (a head-end, a gateway): they form one group of their own.
-- Serials compare case-insensitively (SQLite's COLLATE NOCASE) through the generated serial_key, as in certificates.
CREATE TABLE renewal_campaign_entries (
    issuer                 TEXT COLLATE "C" NOT NULL,
    serial_hex             TEXT COLLATE "C" NOT NULL,
    serial_key             TEXT COLLATE "C" GENERATED ALWAYS AS (lower(serial_hex)) STORED,
    profile                TEXT COLLATE "C" NOT NULL,
    subject                TEXT COLLATE "C" NOT NULL,
    system_title           TEXT COLLATE "C",
    dcu                    TEXT COLLATE "C" NOT NULL,
    not_after              TEXT COLLATE "C" NOT NULL,
    certificate_created_at TEXT COLLATE "C" NOT NULL,
    scheduled_at           TEXT COLLATE "C" NOT NULL,
    state                  TEXT COLLATE "C" NOT NULL CHECK (state IN ('due', 'notified', 'renewed', 'overdue')),
    attempts               INTEGER NOT NULL,
    next_attempt_at        TEXT COLLATE "C",
    last_error             TEXT,
    notified_at            TEXT COLLATE "C",
    renewed_at             TEXT COLLATE "C",
    renewed_by_serial      TEXT,
    created_at             TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (issuer, serial_key)
);

CREATE INDEX ix_campaign_dcu ON renewal_campaign_entries (dcu, scheduled_at);
CREATE INDEX ix_campaign_state ON renewal_campaign_entries (state, scheduled_at);

-- Housekeeping marks certificates past notAfter (the row and its revocation stay: CRLs and OCSP still need them).
ALTER TABLE certificates ADD COLUMN expired_at TEXT COLLATE "C";
