-- The linted to-be-signed certificate (DER TBSCertificate) an intent reserved its serial for, recorded before the
-- issuing key signs (Boulder's precertificate record): a serial left outcome-unknown by a crash can still say what it
-- would have certified. Rows reserved before this migration have none: NULL.
ALTER TABLE certificates ADD COLUMN tbs_der BLOB;
