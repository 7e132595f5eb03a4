-- Node names held by live processes (INodeHeartbeats): a server claims its AmiPki:NodeName at start (a fresh instance_id
-- per process), refreshes last_seen while it runs and deletes its row when it stops; a second process under a name whose
-- row another instance refreshed recently is refused, so two processes never write one node's audit chain.
CREATE TABLE node_heartbeats (
    node        TEXT NOT NULL PRIMARY KEY,
    instance_id TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);
