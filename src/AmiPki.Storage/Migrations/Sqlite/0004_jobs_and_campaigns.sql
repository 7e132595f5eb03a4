-- Scheduled jobs and renewal campaigns (issue 9).

-- One row per scheduled job: when it last ran and when it is next due. The scheduler reads it at start, so a job that
-- fell due while AmiPki was stopped runs at once (one catch-up run, however many intervals were missed).
CREATE TABLE job_schedule (
    name             TEXT NOT NULL PRIMARY KEY,
    next_due_at      TEXT NOT NULL,
    last_started_at  TEXT,
    last_finished_at TEXT,
    last_outcome     TEXT,
    last_detail      TEXT,
    runs             INTEGER NOT NULL,
    failures         INTEGER NOT NULL
);

-- One row per certificate a renewal campaign picked up: when the head-end should renew it (spread per DCU) and how
-- far that got. dcu is '' for a certificate of no DCU (a head-end, a gateway): they form one group of their own.
CREATE TABLE renewal_campaign_entries (
    issuer                 TEXT NOT NULL,
    serial_hex             TEXT NOT NULL COLLATE NOCASE,
    profile                TEXT NOT NULL,
    subject                TEXT NOT NULL,
    system_title           TEXT,
    dcu                    TEXT NOT NULL,
    not_after              TEXT NOT NULL,
    certificate_created_at TEXT NOT NULL,
    scheduled_at           TEXT NOT NULL,
    state                  TEXT NOT NULL CHECK (state IN ('due', 'notified', 'renewed', 'overdue')),
    attempts               INTEGER NOT NULL,
    next_attempt_at        TEXT,
    last_error             TEXT,
    notified_at            TEXT,
    renewed_at             TEXT,
    renewed_by_serial      TEXT,
    created_at             TEXT NOT NULL,
    PRIMARY KEY (issuer, serial_hex)
);

CREATE INDEX ix_campaign_dcu ON renewal_campaign_entries (dcu, scheduled_at);
CREATE INDEX ix_campaign_state ON renewal_campaign_entries (state, scheduled_at);

-- Housekeeping marks certificates past notAfter (the row and its revocation stay: CRLs and OCSP still need them).
ALTER TABLE certificates ADD COLUMN expired_at TEXT;
