-- Crash recovery of the issuance pipeline (DESIGN.md steps 6–8); the same column and meaning as
-- Migrations/Sqlite/0003_outcome_unknown.sql. A serial still 'signing' when its process died is marked by the start-up
-- recovery pass with the time it was found: its outcome is unknown (a signature may exist), so it stays revocable and
-- reserved forever. A column rather than a new state value, as in SQLite, so a late completion by a still-living process
-- still matches state = 'signing' and both dialects read states the same way.
ALTER TABLE certificates ADD COLUMN outcome_unknown_at TEXT COLLATE "C";

-- PostgreSQL only: the node that reserved the serial. Several nodes share the table, and a node starting up must mark
-- only its own orphans (its previous process's), not the intents other living nodes are signing at that moment.
ALTER TABLE certificates ADD COLUMN reserved_by TEXT COLLATE "C";

-- The serials in flight: few at any moment, so the recovery pass reads a handful of index entries at start-up instead of
-- scanning every certificate ever issued.
CREATE INDEX ix_certificates_in_flight ON certificates (created_at) WHERE state = 'signing' AND outcome_unknown_at IS NULL;
