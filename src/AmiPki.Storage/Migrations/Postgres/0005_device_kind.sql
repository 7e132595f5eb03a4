-- The kind of a registered device; the same column and meaning as Migrations/Sqlite/0005_device_kind.sql (Core's
-- DeviceKinds: meter, dcu, hes, gateway, network-device, from the manifest's kind column). Devices imported before this
-- migration came from manifests without that column, which listed meters: they are meters.
ALTER TABLE devices ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT 'meter';
-- No CHECK on the value: the manifest reader refuses unknown kinds, and a CHECK could not grow with a new kind without
-- rebuilding the SQLite table.
