-- Published CRLs; the same table, columns and meaning as Migrations/Sqlite/0009_published_crls.sql (Core's
-- IPublishedCrlStore), shared by every node on the database, so all of them serve the same newest CRL of a CA. kind is
-- 'complete' or 'delta'; number comes from the shared sequence, so the highest number of a kind is the newest; delta_base
-- is a delta's base CRL number (NULL for a complete CRL). The primary key serves the per-request "newest number" lookup.
CREATE TABLE published_crls (
    issuer      TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('complete', 'delta')),
    number      BIGINT NOT NULL CHECK (number >= 1),
    delta_base  BIGINT,
    this_update TEXT COLLATE "C" NOT NULL,
    next_update TEXT COLLATE "C" NOT NULL,
    entry_count INTEGER NOT NULL CHECK (entry_count >= 0),
    der         BYTEA NOT NULL,
    PRIMARY KEY (issuer, kind, number)
);
