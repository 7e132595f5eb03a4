-- The kind of a registered device (Core's DeviceKinds: meter, dcu, hes, gateway, network-device), from the manifest's
-- kind column, so authorization rules can ask for "a registered device of kind meter". Devices imported before this
-- migration came from manifests without that column, which listed meters: they are meters.
ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'meter';
-- No CHECK on the value: the manifest reader refuses unknown kinds, and a CHECK could not grow with a new kind without
-- rebuilding the SQLite table.
