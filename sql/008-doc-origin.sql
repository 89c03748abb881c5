-- 008-doc-origin.sql: a local record's document is numbered by its history.
--
-- Until now every document was found by its _id, "TYPE:UUID", through a
-- unique index. UUIDs are random, so each new document went to a random
-- page of that index: at a million documents, the first sync after 1,000
-- new records rewrote ~1,000 pages of it, and a sync's cost grew with the
-- records it did not send (PERF.md T7).
--
-- Now a document's pk is its "origin": the seq of the first history row of
-- its type and id. History is append-only, so that row never changes, no
-- two records share it, and new records' documents go at the end of doc,
-- and their revisions at the end of rev's indexes. A document that had no
-- history when it was made (pulled before its record existed here) has a
-- negative pk instead, and is found by its _id in doc_unlinked.
--
-- history_deleted lists the ids that were ever deleted: few, so it is cheap
-- to ask. A record created in the catch-up's window whose id was never
-- deleted has no earlier history (a second create needs a delete between),
-- so that create's seq is its origin, known without searching history_id.
--
-- rev_parent goes: no query ever used it, and every revision paid for it.
-- rev_leaf holds leaves only, in the winner rule's order, with what a push
-- offers of each (pk, generation, signature; leaf itself, which SQLite
-- needs to see the index as covering): the leaves of a document are read
-- from it alone, without a visit to each row.
-- doc and rev are rebuilt with the same rows (rev keeps its pk values,
-- which doc.winner and rev.parent hold; rev.doc follows doc's new pk). The
-- migration runs with foreign keys off and checks them before it ends.

CREATE TEMP TABLE doc_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL UNIQUE);
INSERT INTO doc_map (old, new)
    SELECT pk, coalesce(origin, -row_number() OVER (PARTITION BY origin IS NULL ORDER BY pk))
      FROM (SELECT pk, (SELECT h.seq FROM history h
                         WHERE h.id = substr(doc.doc_id, length(doc.type) + 2) AND h.type = doc.type
                         ORDER BY h.seq LIMIT 1) AS origin
              FROM doc);

CREATE TABLE doc_new (
    pk         INTEGER PRIMARY KEY,     -- origin (> 0), or < 0: found by doc_id
    doc_id     TEXT NOT NULL,
    type       TEXT NOT NULL,
    winner     INTEGER,                 -- rev.pk of the winning leaf
    deleted    INTEGER NOT NULL DEFAULT 0,
    conflicted INTEGER NOT NULL DEFAULT 0,
    local_seq  INTEGER NOT NULL UNIQUE  -- bumped with every new revision: the push feed
);
INSERT INTO doc_new (pk, doc_id, type, winner, deleted, conflicted, local_seq)
    SELECT m.new, d.doc_id, d.type, d.winner, d.deleted, d.conflicted, d.local_seq
      FROM doc d JOIN doc_map m ON m.old = d.pk ORDER BY m.new;

CREATE TABLE rev_new (
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
INSERT INTO rev_new (pk, doc, parent, gen, sig, deleted, leaf, body)
    SELECT r.pk, m.new, r.parent, r.gen, r.sig, r.deleted, r.leaf, r.body
      FROM rev r JOIN doc_map m ON m.old = r.doc ORDER BY r.pk;

DROP TABLE rev; -- its indexes go with it
DROP TABLE doc;
DROP TABLE doc_map;
ALTER TABLE doc_new RENAME TO doc;
ALTER TABLE rev_new RENAME TO rev;
CREATE UNIQUE INDEX doc_unlinked ON doc (doc_id) WHERE pk < 0;
CREATE INDEX doc_conflicted ON doc (conflicted) WHERE conflicted;
CREATE INDEX rev_leaf ON rev (doc, deleted, gen DESC, sig DESC, leaf) WHERE leaf;
CREATE INDEX history_deleted ON history (id) WHERE op = 'delete';

-- Where a create put its record: the rowid of its row. The catch-up reads a
-- new record there, at the end of its table, instead of searching the
-- table's id index (random, like the ids). A hint, checked against the id:
-- VACUUM may renumber rows.
ALTER TABLE history ADD COLUMN rec INTEGER;
