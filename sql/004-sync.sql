-- 004-sync.sql: what replication with a CouchDB-compatible server keeps.
--
-- A record that may be shared is one document, _id "TYPE:UUID". Its
-- revision tree lives in rev; the record table holds the winning body (as
-- this machine sees it: fields withheld from sharing stay local). Revisions
-- of local edits are made lazily, at the start of a sync, from the history
-- rows after meta 'rev_mark': that keeps every add, edit and import as cheap
-- as before and still costs O(changes), since history is indexed by seq.
-- No secret is ever stored here: passwords and tokens come from outside.

CREATE TABLE doc (
    pk         INTEGER PRIMARY KEY,
    doc_id     TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    winner     INTEGER,                 -- rev.pk of the winning leaf
    deleted    INTEGER NOT NULL DEFAULT 0,
    conflicted INTEGER NOT NULL DEFAULT 0,
    local_seq  INTEGER NOT NULL UNIQUE  -- bumped with every new revision: the push feed
);
CREATE INDEX doc_conflicted ON doc (conflicted) WHERE conflicted;

CREATE TABLE rev (
    pk      INTEGER PRIMARY KEY,
    doc     INTEGER NOT NULL REFERENCES doc (pk),
    parent  INTEGER REFERENCES rev (pk),
    gen     INTEGER NOT NULL CHECK (gen >= 1),
    sig     TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    leaf    INTEGER NOT NULL DEFAULT 1,
    body    TEXT,                       -- canonical JSON; kept for leaves
    UNIQUE (doc, gen, sig)
);
CREATE INDEX rev_leaf ON rev (doc, leaf);
CREATE INDEX rev_parent ON rev (parent);

CREATE TABLE remote (
    name     TEXT PRIMARY KEY NOT NULL,
    url      TEXT NOT NULL,             -- the database URL, without credentials or query
    username TEXT,
    auth     TEXT NOT NULL DEFAULT 'basic' CHECK (auth IN ('none', 'basic', 'cookie', 'jwt')),
    cacert   TEXT,
    added    TEXT NOT NULL
);

CREATE TABLE checkpoint (
    rep_id      TEXT PRIMARY KEY NOT NULL,
    remote      TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    session_id  TEXT NOT NULL,
    last_seq    TEXT NOT NULL,          -- JSON, verbatim: an integer or an opaque string
    history     TEXT NOT NULL,          -- JSON array, newest first, <= 50 entries
    remote_rev  TEXT                    -- _rev of the _local doc on the server
);

CREATE TABLE sync_rejection (
    doc_id     TEXT NOT NULL,
    rev        TEXT NOT NULL,
    remote     TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    status     INTEGER,
    error      TEXT NOT NULL,
    reason     TEXT,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (doc_id, rev, remote, direction)
);

INSERT INTO meta (key, value) VALUES ('local_seq', '0');
INSERT INTO meta (key, value) VALUES ('rev_mark', '0');
