-- Requests waiting for an admin's approval (profiles with manualApproval; EST 202 + Retry-After, SCEP PENDING, CMP pollRep).
CREATE TABLE pending_requests (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    protocol        TEXT NOT NULL,
    profile         TEXT NOT NULL,
    requester       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    csr_der         BYTEA NOT NULL,
    renewing_der    BYTEA,
    device_detail   TEXT,
    state           TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'issued')),
    created_at      TEXT COLLATE "C" NOT NULL,
    decided_at      TEXT,
    decided_by      TEXT,
    reason          TEXT,
    issuer          TEXT,
    serial_hex      TEXT,
    certificate_der BYTEA
);
CREATE INDEX pending_requests_state ON pending_requests (state, created_at);
