-- Crash recovery of the issuance pipeline (DESIGN.md steps 6–8). A serial still 'signing' when its process died is marked
-- by the start-up recovery pass with the time it was found: the certificate's outcome is unknown (a signature may exist),
-- so it stays revocable and reserved forever. A column rather than a new state value: SQLite cannot change a CHECK
-- constraint without rebuilding the table, and a late completion by a still-living process must still match
-- state = 'signing'.
ALTER TABLE certificates ADD COLUMN outcome_unknown_at TEXT;

-- The serials in flight: few at any moment, so the recovery pass reads a handful of index entries at start-up instead of
-- scanning every certificate ever issued.
CREATE INDEX ix_certificates_in_flight ON certificates (created_at) WHERE state = 'signing' AND outcome_unknown_at IS NULL;
