-- 007-history-check.sql: the history's check on op, written without IN.
-- SQLite runs a CHECK's IN list by building a temporary table for every row
-- it inserts, and every record written adds a history row (an import adds a
-- million): three comparisons say the same for a fraction of the cost.
-- SQLite cannot change a constraint in place, so the table is rebuilt with
-- the same columns, rows and seq values, then its index and triggers.

CREATE TABLE history_new (
    seq     INTEGER PRIMARY KEY,  -- never reused: rows are never deleted
    at      TEXT NOT NULL,
    user    TEXT NOT NULL,
    op      TEXT NOT NULL CHECK (op = 'create' OR op = 'update' OR op = 'delete'),
    type    TEXT NOT NULL,
    id      TEXT NOT NULL,
    changes TEXT
);
INSERT INTO history_new (seq, at, user, op, type, id, changes)
    SELECT seq, at, user, op, type, id, changes FROM history ORDER BY seq;
DROP TABLE history; -- its index and triggers go with it
ALTER TABLE history_new RENAME TO history;
CREATE INDEX history_id ON history (id);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
