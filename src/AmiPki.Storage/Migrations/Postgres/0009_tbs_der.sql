-- The linted to-be-signed certificate (DER TBSCertificate) an intent reserved its serial for; the same column and
-- meaning as Migrations/Sqlite/0009_tbs_der.sql. Rows reserved before this migration have none: NULL.
ALTER TABLE certificates ADD COLUMN tbs_der BYTEA;
