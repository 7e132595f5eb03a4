-- Protocol transactions; the same table, columns and meaning as Migrations/Sqlite/0006_protocol_transactions.sql (Core's
-- IProtocolTransactionStore: CMP transactionIDs and nonces, later ACME orders), shared by every node on the database. The
-- protocol's own state is the opaque payload (at most 1 MiB, refused above by the store); version is the compare-and-set
-- counter: it starts at 1 and every update adds one, so of nodes racing on one transaction exactly one moves it on.
CREATE TABLE protocol_transactions (
    protocol   TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    state      TEXT COLLATE "C" NOT NULL,
    payload    BYTEA NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    due_at     TEXT COLLATE "C",
    version    BIGINT NOT NULL CHECK (version >= 1),
    PRIMARY KEY (protocol, key)
);
-- The sweep for what waits for a deadline (ListDueAsync), and the replay window's end (PruneAsync).
CREATE INDEX protocol_transactions_due ON protocol_transactions (protocol, state, due_at);
CREATE INDEX protocol_transactions_updated ON protocol_transactions (protocol, updated_at);
