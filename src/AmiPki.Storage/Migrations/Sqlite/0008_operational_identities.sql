-- Operational identities (Core's IOperationalIdentityStore: the CMP responder, the SCEP RA, the OCSP responders), so a
-- restart or another node presents the same responder certificate. encrypted_key is a PKCS#8 EncryptedPrivateKeyInfo
-- (PBES2, AES-256-CBC, PBKDF2-SHA256) under the key passphrase; the previous_* columns keep the identity replaced at the
-- last renewal for an overlap. version is the compare-and-set counter: it starts at 1 and every replacement adds one.
CREATE TABLE operational_identities (
    name                   TEXT NOT NULL PRIMARY KEY,
    encrypted_key          BLOB NOT NULL,
    certificate            BLOB NOT NULL,
    not_after              TEXT NOT NULL,
    previous_encrypted_key BLOB,
    previous_certificate   BLOB,
    previous_not_after     TEXT,
    updated_at             TEXT NOT NULL,
    version                INTEGER NOT NULL CHECK (version >= 1)
);
