/*
 * withus.h - the public API of libwithus.
 *
 * libwithus logs how research teams work with sex worker-led organisations
 * (partnerships, involvement per research phase, budgets and payments,
 * outputs) in one SQLite file, checks those records against the researcher
 * recommendations, and shares them with a CouchDB-compatible endpoint.
 *
 * Conventions (as in sqlite3 and libgit2):
 *  - every function that can fail returns an int: WU_OK (0) or a negative
 *    WU_E* code; the message is read with wu_errmsg(db);
 *  - results come back through the first parameter (`out`); the caller owns
 *    what it receives and frees it with the matching free function, every one
 *    of which accepts NULL;
 *  - json_t arguments are marked "borrowed" (the library keeps no reference),
 *    "new" (the caller receives a reference it must json_decref) or "steals";
 *  - the library never prints, never exits and reads no environment.
 */
#ifndef WITHUS_H
#define WITHUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WU_VERSION "0.1.0"

/* ---- result codes ------------------------------------------------------ */
enum {
	WU_OK = 0,
	WU_EINVAL = -1,       /* a value is not valid: the message names field and value */
	WU_ENOTFOUND = -2,    /* no record (or type) with that id or name */
	WU_EEXIST = -3,       /* a record with that id (or key) exists already */
	WU_EREFERENCED = -4,  /* the record is referenced by another record */
	WU_ENOMEM = -5,       /* out of memory */
	WU_EIO = -6,          /* reading or writing a file failed */
	WU_EDB = -7,          /* the database reported an error */
	WU_EBUSY = -8,        /* the database stayed locked past the busy timeout */
	WU_EVERSION = -9,     /* the database was made by a newer withus */
	WU_EPERSONAL = -10,   /* free text looks like it identifies a person */
	WU_EAMBIGUOUS = -11,  /* an id prefix or name matches several records */
	WU_ENOTDB = -12,      /* the file is not a withus database */
	WU_EDEMO = -13,       /* demo and real records would be mixed */
	WU_EMISUSE = -14,     /* the API was called the wrong way */
	WU_ENET = -15,        /* the server could not be reached, or stopped answering */
	WU_EAUTH = -16,       /* the server refused the credentials (401) or the access (403) */
	WU_EREMOTE = -17      /* the server answered, but not as the protocol says it should */
};

/* A static, human-readable name for a result code. */
const char *wu_strerror(int code);

/* The library version, e.g. "0.1.0". */
const char *wu_version(void);

/* ---- the database handle ----------------------------------------------- */
typedef struct wu_db wu_db;

#define WU_OPEN_READONLY 0x1u  /* never write; refuse a database that needs migrating */
#define WU_OPEN_NOCREATE 0x2u  /* fail with WU_ENOTFOUND when the file does not exist */

typedef struct wu_open_opts {
	unsigned flags;        /* WU_OPEN_* */
	const char *user;      /* who is writing, recorded in the history; NULL: "unknown" */
	int busy_timeout_ms;   /* how long to wait for another writer; 0: 10000 */
} wu_open_opts;

/*
 * Opens (creating with mode 0600 if needed) the withus database at `path`,
 * applies any pending migrations, and returns the handle through `out`.
 * `path` may be ":memory:". `opts` may be NULL. On failure *out is still set
 * when a handle could be made, so that wu_errmsg() can explain; close it.
 * A handle may move between threads but is used by one at a time; two
 * threads that write at once each open their own (as two processes do).
 */
int wu_db_open(wu_db **out, const char *path, const wu_open_opts *opts);

/* Closes the handle; accepts NULL. */
void wu_db_close(wu_db *db);

/* The message of the last failed call on `db` (borrowed; valid until the next call). */
const char *wu_errmsg(const wu_db *db);

/* The schema version (PRAGMA user_version) this library writes. */
int wu_schema_version(void);

/* The schema version of an open database. */
int wu_db_user_version(int *out, wu_db *db);

/* Transactions: every write is already atomic on its own; wrap several in
 * one to make them atomic together (import does). Nesting is counted; a
 * failure inside makes the outermost commit fail and roll back. */
int wu_begin(wu_db *db);
/* As wu_begin, for a large write such as an import. When this is the only
 * connection to the database, the write uses a rollback journal instead of
 * the WAL, so memory stays flat however much it writes (the WAL's index
 * grows by 8 bytes for every page written); other processes wait until it
 * ends, and the database returns to WAL at the outermost commit or rollback.
 * With other connections open it is the same as wu_begin. */
int wu_begin_bulk(wu_db *db);
int wu_commit(wu_db *db);
int wu_rollback(wu_db *db);

/* Database-wide facts kept in the meta table ("uuid", "demo", ...); *out is new, free with wu_free. */
int wu_meta_get(char **out, wu_db *db, const char *key);

/* ---- the record model (read-only descriptions) -------------------------- */
typedef enum wu_kind {
	WU_K_TEXT,      /* free text, scanned for contact details */
	WU_K_CODE,      /* a short machine word: no spaces */
	WU_K_ENUM,      /* one of `values` */
	WU_K_SET,       /* several of `values`, kept sorted */
	WU_K_DATE,      /* YYYY-MM-DD */
	WU_K_INT,       /* a non-negative integer */
	WU_K_PERCENT,   /* an integer 0..100 */
	WU_K_BOOL,      /* true or false */
	WU_K_MONEY,     /* an exact decimal in the currency named by field `currency` */
	WU_K_CURRENCY,  /* an ISO 4217 code */
	WU_K_COUNTRY,   /* an ISO 3166-1 alpha-2 code */
	WU_K_REF,       /* the id of a record of type `ref` */
	WU_K_REFSET,    /* ids of records of type `ref`, kept sorted */
	WU_K_ORGID,     /* an org-id.guide identifier, LISTCODE-ID */
	WU_K_ROR,       /* a ROR id; stored as https://ror.org/0xxxxxxNN */
	WU_K_ORCID,     /* an ORCID iD, 0000-0000-0000-000X */
	WU_K_URL,       /* an http(s) URL (evidence links) */
	WU_K_RECORD     /* the id of a record of any type (what an attestation is about) */
} wu_kind;

#define WU_F_REQUIRED 0x1u  /* must be present on every record */
#define WU_F_LIST     0x2u  /* shown as a column by `withus list` */

typedef struct wu_field {
	const char *name;            /* JSON key, CSV column, SQL column and --option */
	wu_kind kind;
	unsigned flags;              /* WU_F_* */
	const char *const *values;   /* NULL-terminated, for ENUM and SET */
	const char *ref;             /* record type, for REF and REFSET */
	const char *currency;        /* companion currency field, for MONEY */
	const char *defval;          /* stored when a new record leaves the field out, or NULL */
	const char *help;            /* one line for `withus help TYPE` */
} wu_field;

typedef struct wu_type {
	const char *name;            /* "org", "project", ... (also the SQL table) */
	const char *title;           /* "organisation" */
	const char *help;            /* one line */
	const wu_field *fields;      /* without the common id/type/created/updated */
	size_t nfields;
	const char *label;           /* the field that names a record ("name", "title"), or NULL */
} wu_type;

/* Types in dependency order (a type refers only to types before it). */
size_t wu_type_count(void);
const wu_type *wu_type_at(size_t i);
const wu_type *wu_type_find(const char *name);
const wu_field *wu_field_find(const wu_type *t, const char *name);
const char *wu_kind_name(wu_kind k);

/* ---- records ------------------------------------------------------------ */
/*
 * A record in its canonical JSON shape is an object with "id", "type",
 * "created", "updated" and the type's fields (absent when unset). Keys are
 * sorted; money is an exact decimal string; sets are sorted arrays. See
 * docs/records.md.
 */
#define WU_FORCE      0x1u  /* accept free text that looks like contact details */
#define WU_KEEP_META  0x2u  /* add: keep "id", "created", "updated" from the input (import) */
#define WU_TEXT_VALUES 0x4u /* values are strings as a person typed them (CLI, CSV): "true",
			      * "12", "a,b" are converted to the field's kind */

/*
 * Validates and stores a new record of `type`. `fields` (borrowed) is an
 * object of field values; unknown keys are refused. The new id is returned
 * through `out_id` (new; free with wu_free) unless out_id is NULL.
 */
int wu_record_add(char **out_id, wu_db *db, const char *type, const json_t *fields, unsigned flags);

/*
 * Applies `patch` (borrowed; a JSON merge patch: a null value removes the
 * field) to the record `id`, validates the whole result and stores it.
 */
int wu_record_update(wu_db *db, const char *id, const json_t *patch, unsigned flags);

/* Deletes record `id`; refused with WU_EREFERENCED while another record refers to it. */
int wu_record_delete(wu_db *db, const char *id);

/* The record `id` in canonical shape (new). */
int wu_record_get(json_t **out, wu_db *db, const char *id);

/* Called once per record or history entry; `rec` is borrowed. Return non-zero to stop. */
typedef int (*wu_record_cb)(const json_t *rec, void *payload);

typedef struct wu_query {
	const char *project;   /* only records of this project (the project itself for "project") */
	const char *org;       /* only records naming this organisation */
} wu_query;

/* Calls `cb` for each record of `type` (all types in dependency order when
 * NULL), oldest first. `q` may be NULL. */
int wu_record_list(wu_db *db, const char *type, const wu_query *q, wu_record_cb cb, void *payload);

/*
 * Finds the one record of `type` (any type when NULL) that `text` names:
 * a full id, a unique id prefix of at least 4 characters, or an exact
 * name/title. *out_id is new.
 */
int wu_resolve(char **out_id, wu_db *db, const char *type, const char *text);

/* Counts records of `type` (all types when NULL). */
int wu_record_count(int64_t *out, wu_db *db, const char *type);

/* Calls `cb` with each history entry of record `id` (all records when NULL),
 * oldest first: {"seq","at","user","op","type","id","changes"}. */
int wu_history(wu_db *db, const char *id, wu_record_cb cb, void *payload);

/* ---- community audit ------------------------------------------------------ */
/*
 * A claim is a record that names an organisation (a partnership, an
 * involvement, a budget line, a transaction, a contribution ...); an
 * "attestation" record is that organisation's word on it: confirmed,
 * partly-confirmed or disputed. The newest attestation by the organisation
 * is the claim's status; "unconfirmed" when there is none.
 */
typedef struct wu_audit_counts {
	int64_t unconfirmed, confirmed, partly, disputed;
	int64_t changed;   /* attested, then the claim was edited */
} wu_audit_counts;

/*
 * Calls `cb` with every claim naming organisation `org` (of project
 * q->project only, when given), in model order: {"claim": the record,
 * "status": "unconfirmed" | "confirmed" | "partly-confirmed" | "disputed",
 * "changed_since": true when the claim was edited after the newest
 * attestation, "attestations": [by this organisation, oldest first]}.
 * `cb` may be NULL to only count; *out (may be NULL) gets the counts.
 */
int wu_audit(wu_audit_counts *out, wu_db *db, const char *org, const wu_query *q, wu_record_cb cb, void *payload);

/* ---- exchange rates ------------------------------------------------------- */
/*
 * Reports add amounts in different currencies only through these rates:
 * 1 `base` = `rate` `quote` (an exact decimal, at most 12 decimals), in force
 * from `valid_from` (YYYY-MM-DD; NULL or "" = always) until a later one.
 * `source` (may be NULL) says where the rate comes from ("ECB reference rate").
 * Adding the same base, quote and date again replaces the rate.
 */
int wu_rate_add(wu_db *db, const char *base, const char *quote, const char *rate, const char *valid_from,
		const char *source);
int wu_rate_rm(wu_db *db, const char *base, const char *quote, const char *valid_from);
/* Calls `cb` with {"base","quote","rate","from"?,"source"?,"added"} for each rate. */
int wu_rate_list(wu_db *db, wu_record_cb cb, void *payload);

/* ---- values ------------------------------------------------------------ */
/* Parses an exact decimal amount for `currency` into minor units. */
int wu_money_parse(int64_t *out, wu_db *db, const char *text, const char *currency);
/* Formats minor units as a decimal for `currency` into buf. */
int wu_money_format(char *buf, size_t size, wu_db *db, int64_t minor, const char *currency);
/* The number of minor-unit digits of an ISO 4217 currency, or -1 if unknown. */
int wu_currency_exponent(wu_db *db, const char *code);

/* ---- import and export --------------------------------------------------- */
typedef void (*wu_progress_cb)(uint64_t bytes, uint64_t records, void *payload);

typedef struct wu_import_opts {
	const char *format;      /* "jsonl" or "csv" */
	const char *type;        /* for csv: the record type of every row */
	const char *source;      /* a name for messages ("budget.csv"); may be NULL */
	unsigned flags;          /* WU_FORCE */
	wu_progress_cb progress; /* may be NULL; called every few thousand records */
	void *payload;
} wu_import_opts;

/*
 * Reads records from `in` and adds them, keeping their ids and timestamps.
 * The whole stream is one transaction (or joins the caller's): on any error
 * nothing is written and the message names the line, field and value.
 * Memory use does not grow with the input. *out (may be NULL) gets the count.
 */
int wu_import(uint64_t *out, wu_db *db, FILE *in, const wu_import_opts *opts);

/* Writes every record (of `type`, or all when NULL) as JSON Lines. */
int wu_export_jsonl(wu_db *db, FILE *out, const char *type, const wu_query *q);

/* Writes the records of `type` as CSV with a header row of field names. */
int wu_export_csv(wu_db *db, FILE *out, const char *type, const wu_query *q);

/* ---- demo ------------------------------------------------------------------ */
/* Loads the built-in, fictional demo dataset. Refused with WU_EDEMO when the
 * database already holds records that are not demo records. */
int wu_demo_load(uint64_t *out, wu_db *db);

/* ---- rules: the checks against the researcher recommendations ------------ */
typedef enum wu_severity { WU_SEV_INFO, WU_SEV_WARNING, WU_SEV_ERROR } wu_severity;

typedef enum wu_param_kind {
	WU_P_PERCENT, /* 0..100 */
	WU_P_DAYS,    /* >= 0 */
	WU_P_COUNT,   /* >= 0 */
	WU_P_LEVEL,   /* an involvement level; the value is its index (none = 0 ... lead = 5) */
	WU_P_PHASES,  /* a set of research phases; the value is a bit mask (bit i = phase i) */
} wu_param_kind;

/* A threshold of a rule, with where its default comes from. */
typedef struct wu_param {
	const char *name;
	wu_param_kind kind;
	int64_t defval;
	const char *source;   /* the published source, or the reasoning behind a judgement */
	int judgement;        /* 1: no published figure stands behind the default */
	const char *help;
} wu_param;

typedef struct wu_rule {
	const char *id;         /* stable, e.g. "swlo-budget-share" */
	int recommendation;     /* 1..4 */
	wu_severity severity;   /* default */
	const char *title;
	const char *needs;      /* the records the rule reads */
	const char *condition;  /* what passes */
	const char *why;
	const char *how;        /* the remedy */
	const wu_param *params;
	size_t nparams;
} wu_rule;

size_t wu_rule_count(void);
const wu_rule *wu_rule_at(size_t i);
const wu_rule *wu_rule_find(const char *id);
const wu_param *wu_rule_param(const wu_rule *r, const char *name);
const char *wu_severity_name(wu_severity s);           /* "info", "warning", "error" */
const char *wu_recommendation_title(int recommendation); /* a short paraphrase, 1..4 */
/* The names of the involvement levels and research phases params refer to. */
const char *wu_level_name(int level);
const char *wu_phase_name(int phase);
int wu_phase_count(void);

/* ---- policy: thresholds, severities and rules switched off ---------------- */
typedef struct wu_policy wu_policy;

/* A policy holding every rule's defaults. */
int wu_policy_new(wu_policy **out, wu_db *db);
/* Applies a JSON policy document (docs/policy.md) over `pol`; `name` labels
 * messages. Unknown keys and wrong types are refused and `pol` is unchanged. */
int wu_policy_load(wu_policy *pol, wu_db *db, const char *json, size_t len, const char *name);
/* The effective policy as a JSON document that wu_policy_load accepts; *out is new. */
int wu_policy_dump(char **out, wu_db *db, const wu_policy *pol);
/* The policy's name ("withus defaults" unless the file names it); pol may be NULL. */
const char *wu_policy_name(const wu_policy *pol);
int wu_policy_enabled(const wu_policy *pol, const wu_rule *r);
wu_severity wu_policy_severity(const wu_policy *pol, const wu_rule *r);
int64_t wu_policy_value(const wu_policy *pol, const wu_rule *r, const wu_param *p);
/* Where the value in force comes from: the param's source, or the policy's name. */
const char *wu_policy_value_source(const wu_policy *pol, const wu_rule *r, const wu_param *p);
void wu_policy_free(wu_policy *pol);

/* ---- check ------------------------------------------------------------------ */
typedef enum wu_status {
	WU_MET, WU_PARTLY_MET, WU_NOT_MET, WU_INSUFFICIENT, WU_NOT_APPLICABLE
} wu_status;
const char *wu_status_name(wu_status s); /* "met", "partly met", ... */

/* One thing a rule found about one project. */
typedef struct wu_finding {
	const wu_rule *rule;
	wu_severity severity;     /* as the policy sets it */
	int insufficient;         /* 1: the rule lacked the records it needs */
	const char *project;      /* id */
	const char *project_title;
	const char *const *records; /* ids of the records concerned */
	size_t nrecords;
	const char *message;
	const char *expected;
	const char *actual;
	const char *remedy;
} wu_finding;

/* How one project stands against one recommendation. */
typedef struct wu_verdict {
	wu_status status;
	int passed, failed, insufficient, not_applicable; /* rules, by outcome */
} wu_verdict;

typedef struct wu_check_opts {
	const char *const *projects; /* ids; NULL: every project */
	size_t nprojects;
	const char *as_of;           /* YYYY-MM-DD for time-bound rules; NULL: today (UTC) */
	const wu_policy *policy;     /* NULL: the defaults */
} wu_check_opts;

typedef struct wu_result wu_result;

/* Runs every enabled rule over the selected projects. */
int wu_check(wu_result **out, wu_db *db, const wu_check_opts *opts);
size_t wu_result_finding_count(const wu_result *r);
const wu_finding *wu_result_finding(const wu_result *r, size_t i);
size_t wu_result_project_count(const wu_result *r);
/* Project i's id, title and verdicts (index recommendation - 1). */
const char *wu_result_project_id(const wu_result *r, size_t i);
const char *wu_result_project_title(const wu_result *r, size_t i);
const wu_verdict *wu_result_verdicts(const wu_result *r, size_t i);
const char *wu_result_as_of(const wu_result *r);
/* The most severe finding, or -1 when there is none. */
int wu_result_worst(const wu_result *r);

typedef enum wu_format { WU_FORMAT_TEXT, WU_FORMAT_JSON, WU_FORMAT_SARIF } wu_format;
/* Writes the result; `pol` names the thresholds in SARIF rule metadata (may be NULL). */
int wu_result_write(wu_db *db, FILE *out, const wu_result *r, const wu_policy *pol, wu_format fmt);
void wu_result_free(wu_result *r);

/* ---- the funder portfolio report ------------------------------------------- */
/*
 * What a report may hold (docs/report.md): PRIVATE everything on this
 * machine; FUNDER only shared projects and records not marked private,
 * organisations by alias unless public, the sex worker-led flag only where
 * the organisation consented; PUBLIC as FUNDER, with every count from 1 to 4
 * shown as "<5".
 */
typedef enum wu_profile { WU_PROFILE_PRIVATE, WU_PROFILE_FUNDER, WU_PROFILE_PUBLIC } wu_profile;

typedef struct wu_report_opts {
	const char *const *projects; /* ids; NULL: every project */
	size_t nprojects;
	const char *as_of;           /* YYYY-MM-DD; NULL: today (UTC) */
	const wu_policy *policy;     /* for the recommendation statuses; NULL: defaults */
	wu_profile profile;
	const char *currency;        /* add all currencies up in this one, through the rate table; NULL: per currency only */
} wu_report_opts;

/* Writes records as JSON Lines under a profile: PRIVATE is wu_export_jsonl
 * (everything); FUNDER and PUBLIC write only what sync would share, with
 * organisations that are not public under their alias, without registry
 * ids, and without anything saying they are sex worker-led unless they
 * consented (docs/report.md). */
int wu_export_jsonl_profile(wu_db *db, FILE *out, const char *type, const wu_query *q, wu_profile profile);
/* The same as CSV, one header row per type (wu_export_csv's columns). */
int wu_export_csv_profile(wu_db *db, FILE *out, const char *type, const wu_query *q, wu_profile profile);

/* Builds the report as one JSON document (new; shape in docs/report.md). */
int wu_report(json_t **out, wu_db *db, const wu_report_opts *opts);

typedef enum wu_report_format {
	WU_REPORT_TEXT, WU_REPORT_JSON, WU_REPORT_CSV, WU_REPORT_HTML
} wu_report_format;
/* Writes a report made by wu_report: terminal text, JSON, CSV (one row per
 * project and currency, then the totals) or one self-contained HTML page
 * with inline SVG charts. */
int wu_report_write(wu_db *db, FILE *out, const json_t *report, wu_report_format fmt);

/* ---- standards exports ------------------------------------------------------ */
/*
 * 360Giving 1.4 grants (flat CSV, or JSON {"grants": [...]}) for the onward
 * grants from each project's lead organisation to community organisations,
 * and IATI 2.03 activity XML, one activity per project. docs/standards.md
 * gives every mapping. The profile works as in reports.
 */
typedef enum wu_standard { WU_STD_360GIVING_CSV, WU_STD_360GIVING_JSON, WU_STD_IATI } wu_standard;

typedef struct wu_standard_opts {
	const char *const *projects; /* ids; NULL: every project */
	size_t nprojects;
	wu_profile profile;
	const char *prefix;          /* 360Giving identifier prefix (yours from 360Giving); NULL: "360G-withus" */
	const char *generated;       /* IATI generated-datetime; NULL: now */
} wu_standard_opts;

int wu_export_standard(wu_db *db, FILE *out, wu_standard std, const wu_standard_opts *opts);

/* ---- sync with a CouchDB-compatible server ----------------------------- */
/*
 * A remote is a named database URL on a server that speaks the CouchDB
 * replication protocol (CouchDB 3, Cloudant, PouchDB Server). Only records
 * marked shareable leave this machine (docs/sync.md); secrets are never
 * stored: the caller passes them to each wu_sync.
 */
typedef struct wu_remote {
	const char *name;
	const char *url;        /* http(s)://host[:port]/path/db, no user:pass@, no query */
	const char *username;   /* may be NULL */
	const char *auth;       /* "none", "basic" (default), "cookie" or "jwt" */
	const char *cacert;     /* a CA bundle for private CAs, or NULL */
} wu_remote;

#define WU_REMOTE_ALLOW_HTTP 0x1u  /* plain http to a host that is not this machine */

/* Adds a remote; refuses credentials or a query in the URL, a bad scheme,
 * and plain http beyond loopback unless WU_REMOTE_ALLOW_HTTP. */
int wu_remote_add(wu_db *db, const wu_remote *r, unsigned flags);
int wu_remote_rm(wu_db *db, const char *name);
/* `r` is borrowed for the call. Return non-zero to stop. */
typedef int (*wu_remote_cb)(const wu_remote *r, void *payload);
int wu_remote_list(wu_db *db, wu_remote_cb cb, void *payload);

#define WU_SYNC_PUSH 0x1u
#define WU_SYNC_PULL 0x2u

/* Tests only: called before request number `n` (from 1) and at named
 * points ("after-upload", "pull-applied", "between-checkpoints"); a
 * non-zero return fails the sync there as a dropped connection would. */
typedef int (*wu_sync_fault_fn)(const char *point, long n, void *payload);

/* Told about progress: `phase` is "push" or "pull", `done` documents so far. */
typedef void (*wu_sync_progress_fn)(const char *phase, int64_t done, void *payload);

/* For a dry run: each document that would be sent (borrowed), as it would be sent. */
typedef int (*wu_sync_doc_cb)(const json_t *doc, void *payload);

/* Tests and fuzzing: answers each request in place of the network. Returns
 * 0 with *status and the body (*resp, from malloc; the library frees it), or
 * non-zero for a failed connection. `url` and `body` are borrowed. */
typedef int (*wu_sync_transport_fn)(const char *method, const char *url, const char *body, long *status, char **resp,
				    size_t *resp_len, void *payload);

typedef struct wu_sync_opts {
	unsigned direction;        /* WU_SYNC_PUSH | WU_SYNC_PULL; 0: both (push, then pull) */
	const char *secret;        /* password (basic, cookie) or token (jwt); borrowed, never kept */
	int create;                /* create the remote database if it does not exist */
	int dry_run;               /* send nothing, write nothing: call `on_doc` for what would go */
	int insecure_tls;          /* skip TLS verification: only for the loudly named CLI flag */
	int max_retries;           /* per request; 0: 5 */
	int retry_base_ms;         /* first backoff; 0: 250 */
	int batch_size;            /* changes per page and documents per upload; 0: 500 */
	int stall_seconds;         /* a response that moves no byte this long is dropped and retried; 0: 30 */
	wu_sync_doc_cb on_doc;
	wu_sync_progress_fn progress;
	wu_sync_fault_fn fault;
	wu_sync_transport_fn transport; /* NULL: the network (tests and fuzzers set it) */
	void *payload;             /* passed to the callbacks */
} wu_sync_opts;

typedef struct wu_sync_stats {
	int64_t sent;              /* revisions uploaded (or, dry run, that would be) */
	int64_t received;          /* revisions pulled and stored */
	int64_t rejected;          /* documents the server or this side refused, this run */
	int64_t conflicts;         /* documents in conflict after the run */
	int64_t requests;          /* HTTP requests made */
	int64_t connects;          /* connections opened */
	int64_t ignored;           /* documents on the server that are not withus records: left alone */
} wu_sync_stats;

/* Replicates with remote `name` (the only one when NULL). `out` may be NULL. */
int wu_sync(wu_sync_stats *out, wu_db *db, const char *name, const wu_sync_opts *opts);

/* Server-side rules. The design document "_design/withus" carries a
 * validate_doc_update function: researchers (role withus:researcher) write
 * records; an organisation's account (role withus:org:ORG-ID) writes only
 * attestations about that organisation; every other account is read-only.
 * The _security object lets withus:admin administer the database and makes
 * withus:researcher, withus:auditor and withus:org its members. */
enum { WU_RULES_DESIGN = 1, WU_RULES_SECURITY = 2 };

/* The design document and the _security roles withus installs (both new). */
int wu_rules_json(json_t **design, json_t **security);

/* Installs them on remote `name` (the only one when NULL), as its database
 * admin: `opts` gives the secret and TLS settings. Existing _security
 * entries are kept. *changed: WU_RULES_DESIGN | WU_RULES_SECURITY for what
 * had to be written (0: already installed). */
int wu_remote_install_rules(int *changed, wu_db *db, const char *name, const wu_sync_opts *opts);

/*
 * Conflicted records: `cb` gets {"id", "type", "winner", "revs": [{"rev",
 * "deleted", "body"}...]} (borrowed), one per record, leaves winner first.
 */
int wu_conflicts(wu_db *db, const char *id, wu_record_cb cb, void *payload);

/* Resolves the conflict on record `id`: revision `keep` (a leaf) becomes the
 * record and every other live leaf is deleted, all in one transaction. */
int wu_conflict_resolve(wu_db *db, const char *id, const char *keep);

/* ---- memory --------------------------------------------------------------- */
void wu_free(void *p);

#ifdef __cplusplus
}
#endif
#endif /* WITHUS_H */
