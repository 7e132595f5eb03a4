-- Published CRLs (Core's IPublishedCrlStore), so every node and the CLI serve the same newest CRL of a CA. kind is
-- 'complete' or 'delta'; number comes from the shared sequence (crl_numbers), so the highest number of a kind is the
-- newest; delta_base is a delta's base CRL number (NULL for a complete CRL). der is the signed CRL as served.
-- The primary key serves the "newest number" lookup each CRL request makes, and pruning to the last few per kind.
CREATE TABLE published_crls (
    issuer      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('complete', 'delta')),
    number      INTEGER NOT NULL CHECK (number >= 1),
    delta_base  INTEGER,
    this_update TEXT NOT NULL,
    next_update TEXT NOT NULL,
    entry_count INTEGER NOT NULL CHECK (entry_count >= 0),
    der         BLOB NOT NULL,
    PRIMARY KEY (issuer, kind, number)
);
