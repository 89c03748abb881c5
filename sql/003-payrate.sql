-- 003: the pay-rate record type is 'payrate' (was 'rate'), so that 'rate'
-- is free for the exchange-rate table that reports convert currencies with.
ALTER TABLE rate RENAME TO payrate;
DROP INDEX rate_project;
DROP INDEX rate_org;
CREATE INDEX payrate_project ON payrate (project);
CREATE INDEX payrate_org ON payrate (org);
