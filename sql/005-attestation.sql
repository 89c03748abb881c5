-- 005-attestation.sql: organisations attest the claims that name them.
-- An attestation never changes its claim; the newest one by an organisation
-- on a claim is that claim's status. Columns follow lib/model.c.

CREATE TABLE attestation (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    claim TEXT NOT NULL,
    org TEXT NOT NULL,
    status TEXT NOT NULL,
    comment TEXT,
    project TEXT,
    claim_version TEXT,
    visibility TEXT
);
CREATE INDEX attestation_claim ON attestation (claim);
CREATE INDEX attestation_org ON attestation (org);
CREATE INDEX attestation_project ON attestation (project);
