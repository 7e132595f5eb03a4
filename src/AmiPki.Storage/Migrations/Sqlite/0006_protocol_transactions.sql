-- Protocol transactions (Core's IProtocolTransactionStore: CMP transactionIDs and nonces, later ACME orders), so a restart
-- or another node answers a transaction's next message the same. The protocol's own state is the opaque payload (at most
-- 1 MiB, refused above by the store); version is the compare-and-set counter: it starts at 1 and every update adds one.
CREATE TABLE protocol_transactions (
    protocol   TEXT NOT NULL,
    key        TEXT NOT NULL,
    state      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    due_at     TEXT,
    version    INTEGER NOT NULL CHECK (version >= 1),
    PRIMARY KEY (protocol, key)
);
-- The sweep for what waits for a deadline (ListDueAsync), and the replay window's end (PruneAsync).
CREATE INDEX protocol_transactions_due ON protocol_transactions (protocol, state, due_at);
CREATE INDEX protocol_transactions_updated ON protocol_transactions (protocol, updated_at);
