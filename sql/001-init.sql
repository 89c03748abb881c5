-- 001-init.sql: the record tables, the history and the meta table.
-- Every record table has the columns of its type in lib/model.c, in the same
-- order, after id/created/updated; tests/unit/test-model.c checks they match.
-- References are checked by the library, not by FOREIGN KEY clauses: records
-- pulled by sync may arrive before the records they name.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('uuid', lower(hex(randomblob(16))));
INSERT INTO meta (key, value) VALUES ('created', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- Append-only: what changed, when and by whom (a local account name, never a
-- community member). changes holds {field: [old, new]} for updates and the
-- whole record for deletions, so every earlier state can be rebuilt.
CREATE TABLE history (
    seq     INTEGER PRIMARY KEY,  -- never reused: rows are never deleted
    at      TEXT NOT NULL,
    user    TEXT NOT NULL,
    op      TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    type    TEXT NOT NULL,
    id      TEXT NOT NULL,
    changes TEXT
);
CREATE INDEX history_id ON history (id);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

CREATE TABLE org (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    name TEXT NOT NULL,
    alias TEXT,
    kind TEXT NOT NULL,
    represents TEXT,
    swl_self_declared INTEGER,
    swl_board_pct INTEGER,
    swl_spokes_pct INTEGER,
    swl_staff_pct INTEGER,
    disclose_swl INTEGER,
    org_id TEXT,
    ror TEXT,
    iati_type TEXT,
    country TEXT NOT NULL,
    region TEXT,
    visibility TEXT,
    note TEXT
);

CREATE TABLE project (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    title TEXT NOT NULL,
    lead_org TEXT NOT NULL,
    funders TEXT,
    planned_start TEXT,
    planned_end TEXT,
    actual_start TEXT,
    actual_end TEXT,
    budget_total INTEGER,
    currency TEXT,
    value_date TEXT,
    populations TEXT,
    decrim_stance TEXT,
    dp_plan INTEGER,
    le_request_policy INTEGER,
    cert_confidentiality INTEGER,
    police_in_recruitment INTEGER,
    data_shared_with_police INTEGER,
    visibility TEXT,
    note TEXT
);
CREATE INDEX project_lead_org ON project (lead_org);

CREATE TABLE site (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT,
    legal_model TEXT NOT NULL,
    visibility TEXT,
    note TEXT
);
CREATE INDEX site_project ON site (project);

CREATE TABLE partnership (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    org TEXT NOT NULL,
    iati_roles TEXT,
    research_roles TEXT,
    first_engaged TEXT,
    agreement_signed TEXT,
    agreement_covers TEXT,
    co_applicant INTEGER,
    direct_awardee INTEGER,
    questions_originated INTEGER,
    visibility TEXT,
    note TEXT
);
CREATE INDEX partnership_project ON partnership (project);
CREATE INDEX partnership_org ON partnership (org);

CREATE TABLE involvement (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    org TEXT NOT NULL,
    phase TEXT NOT NULL,
    level TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    nominated_by TEXT,
    evidence TEXT,
    recorded_by TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX involvement_project ON involvement (project);
CREATE INDEX involvement_org ON involvement (org);

CREATE TABLE body (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    seats INTEGER NOT NULL,
    swlo_seats INTEGER NOT NULL,
    chair_org TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX body_project ON body (project);
CREATE INDEX body_chair_org ON body (chair_org);

CREATE TABLE role (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    role TEXT NOT NULL,
    org TEXT,
    recruited_via TEXT,
    count INTEGER,
    orcid TEXT,
    start_date TEXT,
    end_date TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX role_project ON role (project);
CREATE INDEX role_org ON role (org);

CREATE TABLE budget (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    recipient TEXT NOT NULL,
    category TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    value_date TEXT NOT NULL,
    status TEXT,
    budget_type TEXT,
    period_start TEXT,
    period_end TEXT,
    match_required INTEGER,
    via_org TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX budget_project ON budget (project);
CREATE INDEX budget_recipient ON budget (recipient);
CREATE INDEX budget_via_org ON budget (via_org);

CREATE TABLE "transaction" (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    budget TEXT,
    kind TEXT NOT NULL,
    provider TEXT,
    receiver TEXT,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    date TEXT NOT NULL,
    value_date TEXT,
    activity_date TEXT,
    invoice_date TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX transaction_project ON "transaction" (project);
CREATE INDEX transaction_budget ON "transaction" (budget);
CREATE INDEX transaction_provider ON "transaction" (provider);
CREATE INDEX transaction_receiver ON "transaction" (receiver);

CREATE TABLE rate (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    party TEXT NOT NULL,
    role TEXT NOT NULL,
    org TEXT,
    unit TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    value_date TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX rate_project ON rate (project);
CREATE INDEX rate_org ON rate (org);

CREATE TABLE output (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    peer_reviewed INTEGER,
    review_sent TEXT,
    submitted TEXT,
    published TEXT,
    returned_to_community TEXT,
    coauthorship_offered INTEGER,
    stance TEXT,
    gripp_aim TEXT,
    gripp_methods TEXT,
    gripp_results TEXT,
    gripp_outcomes TEXT,
    gripp_reflection TEXT,
    visibility TEXT,
    note TEXT
);
CREATE INDEX output_project ON output (project);

CREATE TABLE contribution (
    id      TEXT PRIMARY KEY NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    output TEXT NOT NULL,
    org TEXT NOT NULL,
    credit_role TEXT NOT NULL,
    degree TEXT,
    group_author INTEGER,
    visibility TEXT,
    note TEXT
);
CREATE INDEX contribution_output ON contribution (output);
CREATE INDEX contribution_org ON contribution (org);

CREATE UNIQUE INDEX partnership_unique ON partnership (project, org);
CREATE UNIQUE INDEX contribution_unique ON contribution (output, org, credit_role);
