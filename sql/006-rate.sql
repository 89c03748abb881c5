-- 006-rate.sql: exchange rates that reports convert currencies with.
-- Totals across currencies are made only through this table, never with a
-- rate withus guessed. A rate says 1 unit of base = rate units of quote,
-- from valid_from on ('' = always); the rate is an exact decimal, kept as
-- the text it was given. Local settings, not records: rates are not synced.

CREATE TABLE rate (
    base       TEXT NOT NULL,
    quote      TEXT NOT NULL,
    valid_from TEXT NOT NULL DEFAULT '',
    rate       TEXT NOT NULL,
    source     TEXT,                   -- where the rate comes from, for the auditor
    added      TEXT NOT NULL,
    PRIMARY KEY (base, quote, valid_from)
);
