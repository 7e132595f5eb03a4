-- Node names held by live processes; the same table, columns and meaning as Migrations/Sqlite/0007_node_heartbeats.sql
-- (INodeHeartbeats): a server claims its AmiPki:NodeName at start (a fresh instance_id per process), refreshes last_seen
-- while it runs and deletes its row when it stops; a second process, on any node of the cluster, under a name whose row
-- another instance refreshed recently is refused, so two processes never write one node's audit chain.
CREATE TABLE node_heartbeats (
    node        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    instance_id TEXT COLLATE "C" NOT NULL,
    host        TEXT COLLATE "C" NOT NULL,
    pid         INTEGER NOT NULL,
    started_at  TEXT COLLATE "C" NOT NULL,
    last_seen   TEXT COLLATE "C" NOT NULL
);
