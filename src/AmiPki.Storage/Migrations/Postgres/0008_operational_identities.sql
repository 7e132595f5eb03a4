-- Operational identities; the same table, columns and meaning as Migrations/Sqlite/0007_operational_identities.sql (Core's
-- IOperationalIdentityStore: the CMP responder, the SCEP RA, the OCSP responders), shared by every node on the database,
-- so all of them present the same responder certificate. encrypted_key is a PKCS#8 EncryptedPrivateKeyInfo (PBES2,
-- AES-256-CBC, PBKDF2-SHA256) under the key passphrase; the previous_* columns keep the identity replaced at the last
-- renewal for an overlap. version is the compare-and-set counter: it starts at 1 and every replacement adds one, so of
-- nodes racing to store one exactly one wins.
CREATE TABLE operational_identities (
    name                   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    encrypted_key          BYTEA NOT NULL,
    certificate            BYTEA NOT NULL,
    not_after              TEXT COLLATE "C" NOT NULL,
    previous_encrypted_key BYTEA,
    previous_certificate   BYTEA,
    previous_not_after     TEXT COLLATE "C",
    updated_at             TEXT COLLATE "C" NOT NULL,
    version                BIGINT NOT NULL CHECK (version >= 1)
);
