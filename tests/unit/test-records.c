/*
 * test-records.c - every record type: valid records are stored in canonical
 * shape; each kind of bad value is refused with a message naming the field;
 * updates, deletes, references, history, resolving and listing.
 */
#include "unit.h"

struct fixture {
	wu_db *db;
	char org[37], org2[37], project[37], output[37], budget[37];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	void *db;
	if (!fx || db_setup(&db))
		return -1;
	fx->db = db;
	add_ok(fx->db, "org", "{\"name\":\"Collective\",\"kind\":\"sex-worker-led\",\"country\":\"KE\",\"swl_self_declared\":true}", fx->org);
	add_ok(fx->db, "org", "{\"name\":\"University\",\"kind\":\"academic\",\"country\":\"GB\",\"ror\":\"03yrm5c26\"}", fx->org2);
	char buf[512];
	snprintf(buf, sizeof buf, "{\"title\":\"Study\",\"lead_org\":\"%s\"}", fx->org2);
	add_ok(fx->db, "project", buf, fx->project);
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"kind\":\"paper\",\"title\":\"Paper\"}", fx->project);
	add_ok(fx->db, "output", buf, fx->output);
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"recipient\":\"%s\",\"category\":\"kt\",\"amount\":\"10.00\","
		 "\"currency\":\"GBP\",\"value_date\":\"2024-01-01\"}", fx->project, fx->org);
	add_ok(fx->db, "budget", buf, fx->budget);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	wu_db_close(fx->db);
	free(fx);
	return 0;
}

/* Replaces $ORG, $ORG2, $PROJECT, $OUTPUT, $BUDGET with the fixture's ids. */
static char *fill(const struct fixture *fx, const char *tmpl)
{
	size_t cap = strlen(tmpl) * 2 + 512, n = 0;
	char *out = malloc(cap);
	for (const char *p = tmpl; *p;) {
		const char *val = NULL;
		size_t skip = 0;
		if (!strncmp(p, "$ORG2", 5)) val = fx->org2, skip = 5;
		else if (!strncmp(p, "$ORG", 4)) val = fx->org, skip = 4;
		else if (!strncmp(p, "$PROJECT", 8)) val = fx->project, skip = 8;
		else if (!strncmp(p, "$OUTPUT", 7)) val = fx->output, skip = 7;
		else if (!strncmp(p, "$BUDGET", 7)) val = fx->budget, skip = 7;
		if (val) {
			n += (size_t)snprintf(out + n, cap - n, "%s", val);
			p += skip;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* One valid record of every type, with every field set. */
static const struct { const char *type, *json; } valid[] = {
	{ "org", "{\"name\":\"Rosa\",\"alias\":\"R\",\"kind\":\"community-led\",\"represents\":[\"trans\",\"sex-workers\"],"
		 "\"swl_self_declared\":false,\"swl_board_pct\":60,\"swl_spokes_pct\":60,\"swl_staff_pct\":33,"
		 "\"disclose_swl\":true,\"org_id\":\"BR-CNPJ-123\",\"ror\":\"https://ror.org/05dxps055\",\"iati_type\":\"22\","
		 "\"country\":\"BR\",\"region\":\"São Paulo\",\"visibility\":\"alias\",\"note\":\"demo\"}" },
	{ "project", "{\"title\":\"P\",\"lead_org\":\"$ORG2\",\"funders\":[\"$ORG2\",\"$ORG\"],\"planned_start\":\"2024-01-01\","
		     "\"planned_end\":\"2025-01-01\",\"actual_start\":\"2024-02-01\",\"actual_end\":\"2025-02-01\","
		     "\"budget_total\":\"100000\",\"currency\":\"EUR\",\"value_date\":\"2023-12-01\",\"populations\":[\"migrants\"],"
		     "\"decrim_stance\":\"public-support\",\"dp_plan\":true,\"le_request_policy\":true,\"cert_confidentiality\":false,"
		     "\"police_in_recruitment\":false,\"data_shared_with_police\":false,\"visibility\":\"shared\",\"note\":\"n\"}" },
	{ "site", "{\"project\":\"$PROJECT\",\"country\":\"KE\",\"region\":\"Nairobi\",\"legal_model\":\"full-criminalisation\"}" },
	{ "partnership", "{\"project\":\"$PROJECT\",\"org\":\"$ORG\",\"iati_roles\":[\"implementing\"],\"research_roles\":[\"co-lead\"],"
			 "\"first_engaged\":\"2023-01-01\",\"agreement_signed\":\"2023-06-01\",\"agreement_covers\":[\"budget\",\"ip\"],"
			 "\"co_applicant\":true,\"direct_awardee\":true,\"questions_originated\":2,\"visibility\":\"inherit\"}" },
	{ "involvement", "{\"project\":\"$PROJECT\",\"org\":\"$ORG\",\"phase\":\"analysis\",\"level\":\"collaborate\","
			 "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-01\",\"nominated_by\":\"org\","
			 "\"evidence\":\"https://example.org/minutes\",\"recorded_by\":\"jointly\"}" },
	{ "body", "{\"project\":\"$PROJECT\",\"name\":\"CAB\",\"kind\":\"advisory\",\"seats\":8,\"swlo_seats\":5,\"chair_org\":\"$ORG\"}" },
	{ "role", "{\"project\":\"$PROJECT\",\"role\":\"co-investigator\",\"org\":\"$ORG2\",\"recruited_via\":\"researcher-network\","
		  "\"count\":1,\"orcid\":\"0000-0002-1825-0097\",\"start_date\":\"2024-01-01\"}" },
	{ "budget", "{\"project\":\"$PROJECT\",\"recipient\":\"$ORG\",\"category\":\"overhead\",\"amount\":\"1500.5\",\"currency\":\"USD\","
		    "\"value_date\":\"2024-01-01\",\"status\":\"committed\",\"budget_type\":\"revised\",\"period_start\":\"2024-01-01\","
		    "\"period_end\":\"2024-12-31\",\"match_required\":false,\"via_org\":\"$ORG2\"}" },
	{ "transaction", "{\"project\":\"$PROJECT\",\"budget\":\"$BUDGET\",\"kind\":\"disbursement\",\"provider\":\"$ORG2\","
			 "\"receiver\":\"$ORG\",\"amount\":\"5\",\"currency\":\"JPY\",\"date\":\"2024-03-01\",\"value_date\":\"2024-03-01\","
			 "\"activity_date\":\"2024-02-01\",\"invoice_date\":\"2024-02-03\"}" },
	{ "payrate", "{\"project\":\"$PROJECT\",\"party\":\"community\",\"role\":\"peer-researcher\",\"org\":\"$ORG\",\"unit\":\"day\","
		  "\"amount\":\"150.00\",\"currency\":\"KES\",\"value_date\":\"2024-01-01\"}" },
	{ "output", "{\"project\":\"$PROJECT\",\"kind\":\"community-brief\",\"title\":\"Brief\",\"peer_reviewed\":false,"
		    "\"review_sent\":\"2024-01-01\",\"submitted\":\"2024-02-01\",\"published\":\"2024-03-01\","
		    "\"returned_to_community\":\"2024-03-02\",\"coauthorship_offered\":true,\"stance\":\"supports-decriminalisation\","
		    "\"gripp_aim\":\"a\",\"gripp_methods\":\"m\",\"gripp_results\":\"r\",\"gripp_outcomes\":\"o\",\"gripp_reflection\":\"c\"}" },
	{ "contribution", "{\"output\":\"$OUTPUT\",\"org\":\"$ORG\",\"credit_role\":\"investigation\",\"degree\":\"equal\",\"group_author\":true}" },
	{ "attestation", "{\"claim\":\"$BUDGET\",\"org\":\"$ORG\",\"status\":\"partly-confirmed\",\"comment\":\"the amount, not the date\","
			 "\"project\":\"$PROJECT\",\"claim_version\":\"0123456789abcdef0123456789abcdef\",\"visibility\":\"shared\"}" },
};
#define NVALID (sizeof valid / sizeof valid[0])

static void every_type_has_a_valid_fixture(void **state)
{
	assert_int_equal(NVALID, wu_type_count());
	for (size_t i = 0; i < NVALID; i++)
		assert_string_equal(valid[i].type, wu_type_at(i)->name);
	(void)state;
}

static void valid_records_are_stored_canonically(void **state)
{
	struct fixture *fx = *state;
	for (size_t i = 0; i < NVALID; i++) {
		char *json = fill(fx, valid[i].json), id[37];
		add_ok(fx->db, valid[i].type, json, id);
		json_t *rec = NULL;
		assert_int_equal(wu_record_get(&rec, fx->db, id), WU_OK);
		assert_string_equal(json_string_value(json_object_get(rec, "type")), valid[i].type);
		assert_string_equal(json_string_value(json_object_get(rec, "id")), id);
		/* every field given comes back (in canonical form) */
		json_t *in = json_loads(json, 0, NULL);
		const char *k;
		json_t *v;
		json_object_foreach(in, k, v) assert_non_null(json_object_get(rec, k));
		json_decref(in);
		json_decref(rec);
		free(json);
	}
}

static void canonical_forms(void **state)
{
	struct fixture *fx = *state;
	json_t *rec = NULL;
	char id[37];
	char *json = fill(fx, valid[1].json);
	add_ok(fx->db, "project", json, id);
	free(json);
	assert_int_equal(wu_record_get(&rec, fx->db, id), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "budget_total")), "100000.00");
	json_t *funders = json_object_get(rec, "funders");
	assert_int_equal(json_array_size(funders), 2);
	assert_true(strcmp(json_string_value(json_array_get(funders, 0)), json_string_value(json_array_get(funders, 1))) < 0);
	json_decref(rec);
	assert_int_equal(wu_record_get(&rec, fx->db, fx->org2), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "ror")), "https://ror.org/03yrm5c26");
	assert_string_equal(json_string_value(json_object_get(rec, "visibility")), "private"); /* the default */
	json_decref(rec);
}

static void each_required_field_is_required(void **state)
{
	struct fixture *fx = *state;
	for (size_t i = 0; i < NVALID; i++) {
		const wu_type *t = wu_type_at(i);
		for (size_t k = 0; k < t->nfields; k++) {
			const wu_field *f = &t->fields[k];
			if (!(f->flags & WU_F_REQUIRED))
				continue;
			char *json = fill(fx, valid[i].json);
			json_t *obj = json_loads(json, 0, NULL);
			json_object_del(obj, f->name);
			int rc = wu_record_add(NULL, fx->db, t->name, obj, 0);
			if (rc != WU_EINVAL)
				fail_msg("%s without %s: %d", t->name, f->name, rc);
			char want[96];
			snprintf(want, sizeof want, "%s.", t->name);
			assert_contains(wu_errmsg(fx->db), want);
			json_decref(obj);
			free(json);
		}
	}
}

/* Every enum field refuses a value outside its list, naming field and value. */
static void enums_refuse_unknown_values(void **state)
{
	struct fixture *fx = *state;
	for (size_t i = 0; i < NVALID; i++) {
		const wu_type *t = wu_type_at(i);
		for (size_t k = 0; k < t->nfields; k++) {
			const wu_field *f = &t->fields[k];
			if (f->kind != WU_K_ENUM && f->kind != WU_K_SET)
				continue;
			char *json = fill(fx, valid[i].json);
			json_t *obj = json_loads(json, 0, NULL);
			json_object_set_new(obj, f->name, f->kind == WU_K_SET ? json_pack("[s]", "bogus-value")
									       : json_string("bogus-value"));
			assert_int_equal(wu_record_add(NULL, fx->db, t->name, obj, 0), WU_EINVAL);
			char want[128];
			snprintf(want, sizeof want, "%s.%s: 'bogus-value' is not one of", t->name, f->name);
			assert_contains(wu_errmsg(fx->db), want);
			json_decref(obj);
			free(json);
		}
	}
}

static void bad_values_are_refused(void **state)
{
	struct fixture *fx = *state;
	char buf[512];
	struct { const char *type, *json, *msg; int rc; } cases[] = {
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"XX\"}", "org.country: 'XX'", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"gb\"}", "org.country: 'gb'", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"swl_board_pct\":101}", "out of range", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"swl_board_pct\":\"50\"}", "expected an integer", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"disclose_swl\":\"yes\"}", "expected true or false", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"ror\":\"03yrm5c27\"}", "org.ror", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"org_id\":\"charity 123\"}", "org.org_id", WU_EINVAL },
		{ "org", "{\"name\":\"\",\"kind\":\"academic\",\"country\":\"GB\"}", "empty", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"community-led\",\"country\":\"GB\"}", "org.represents", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"shoe_size\":4}", "unknown field 'shoe_size'", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"id\":\"x\"}", "unknown field 'id'", WU_EINVAL },
		{ "org", "{\"name\":\"Ask for maria@example.com\",\"kind\":\"academic\",\"country\":\"GB\"}", "e-mail", WU_EPERSONAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"note\":\"ring +44 7700 900123\"}", "phone", WU_EPERSONAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"note\":\"tab\\u0001\"}", "control character", WU_EINVAL },
		{ "project", "{\"title\":\"P\",\"lead_org\":\"00000000-0000-7000-8000-000000000000\"}", "project.lead_org: '00000000-0000-7000-8000-000000000000' is not the id of any org", WU_EINVAL },
		{ "project", "{\"title\":\"P\",\"lead_org\":\"$PROJECT\"}", "is not the id of any org", WU_EINVAL },
		{ "project", "{\"title\":\"P\",\"lead_org\":\"$ORG\",\"budget_total\":12.5,\"currency\":\"GBP\"}", "decimal string", WU_EINVAL },
		{ "project", "{\"title\":\"P\",\"lead_org\":\"$ORG\",\"budget_total\":\"12.5\"}", "needs its currency", WU_EINVAL },
		{ "project", "{\"title\":\"P\",\"lead_org\":\"$ORG\",\"planned_start\":\"2025-01-01\",\"planned_end\":\"2024-01-01\"}", "project.planned_end: '2024-01-01' is before", WU_EINVAL },
		{ "project", "{\"title\":\"P\",\"lead_org\":\"$ORG\",\"funders\":\"$ORG\"}", "array", WU_EINVAL },
		{ "budget", "{\"project\":\"$PROJECT\",\"recipient\":\"$ORG\",\"category\":\"kt\",\"amount\":\"1.234\",\"currency\":\"GBP\",\"value_date\":\"2024-01-01\"}", "budget.amount: '1.234' has more decimals than GBP allows (2)", WU_EINVAL },
		{ "budget", "{\"project\":\"$PROJECT\",\"recipient\":\"$ORG\",\"category\":\"kt\",\"amount\":\"-5\",\"currency\":\"GBP\",\"value_date\":\"2024-01-01\"}", "negative", WU_EINVAL },
		{ "budget", "{\"project\":\"$PROJECT\",\"recipient\":\"$ORG\",\"category\":\"kt\",\"amount\":\"5\",\"currency\":\"ABC\",\"value_date\":\"2024-01-01\"}", "budget.currency: 'ABC'", WU_EINVAL },
		{ "budget", "{\"project\":\"$PROJECT\",\"recipient\":\"$ORG\",\"category\":\"kt\",\"amount\":\"5\",\"currency\":\"GBP\",\"value_date\":\"2024-02-30\"}", "budget.value_date: '2024-02-30'", WU_EINVAL },
		{ "body", "{\"project\":\"$PROJECT\",\"name\":\"B\",\"kind\":\"advisory\",\"seats\":4,\"swlo_seats\":5}", "more than the 4 seats", WU_EINVAL },
		{ "role", "{\"project\":\"$PROJECT\",\"role\":\"peer-researcher\",\"orcid\":\"0000-0002-1825-0097\"}", "never appear as persons", WU_EINVAL },
		{ "role", "{\"project\":\"$PROJECT\",\"role\":\"co-investigator\",\"orcid\":\"0000-0002-1825-0098\"}", "role.orcid", WU_EINVAL },
		{ "transaction", "{\"project\":\"$PROJECT\",\"kind\":\"disbursement\",\"provider\":\"$ORG\",\"receiver\":\"$ORG\",\"amount\":\"5\",\"currency\":\"GBP\",\"date\":\"2024-01-01\"}", "also the provider", WU_EINVAL },
		{ "involvement", "{\"project\":\"$PROJECT\",\"org\":\"$ORG\",\"phase\":\"analysis\",\"level\":\"lead\",\"evidence\":\"ftp://x\"}", "http(s) URL", WU_EINVAL },
		{ "involvement", "{\"project\":\"$PROJECT\",\"org\":\"$ORG\",\"phase\":\"analysis\",\"level\":\"lead\",\"evidence\":\"https://instagram.com/someone\"}", "handle", WU_EPERSONAL },
		{ "partnership", "{\"project\":\"$PROJECT\",\"org\":\"$ORG\",\"questions_originated\":-1}", "out of range", WU_EINVAL },
		{ "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\",\"type\":\"project\"}", "says it is of type 'project'", WU_EINVAL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *json = fill(fx, cases[i].json);
		snprintf(buf, sizeof buf, "%s", add_fails(fx->db, cases[i].type, json, cases[i].rc));
		assert_contains(buf, cases[i].msg);
		free(json);
	}
	int64_t n;
	assert_int_equal(wu_record_count(&n, fx->db, NULL), WU_OK);
	assert_int_equal(n, 5); /* only the fixture */
}

static void force_accepts_contact_like_text(void **state)
{
	struct fixture *fx = *state;
	json_t *f = json_pack("{ss ss ss}", "name", "Office line 020 7946 0958", "kind", "ngo", "country", "GB");
	char *id = NULL;
	assert_int_equal(wu_record_add(&id, fx->db, "org", f, 0), WU_EPERSONAL);
	assert_int_equal(wu_record_add(&id, fx->db, "org", f, WU_FORCE), WU_OK);
	/* a later edit of another field does not trip over the forced text */
	json_t *patch = json_pack("{ss}", "region", "London");
	assert_int_equal(wu_record_update(fx->db, id, patch, 0), WU_OK);
	json_decref(patch);
	wu_free(id);
	json_decref(f);
}

static void text_values_are_converted(void **state)
{
	struct fixture *fx = *state;
	json_t *f = json_pack("{ss ss ss ss ss ss}", "name", "T", "kind", "sex-worker-led", "country", "GB",
			      "swl_board_pct", "70", "swl_self_declared", "yes", "represents", "trans, sex-workers");
	char *id = NULL;
	assert_int_equal(wu_record_add(&id, fx->db, "org", f, 0), WU_EINVAL);
	assert_int_equal(wu_record_add(&id, fx->db, "org", f, WU_TEXT_VALUES), WU_OK);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, fx->db, id), WU_OK);
	assert_int_equal(json_integer_value(json_object_get(rec, "swl_board_pct")), 70);
	assert_true(json_is_true(json_object_get(rec, "swl_self_declared")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "represents"), 0)), "sex-workers");
	json_decref(rec);
	json_decref(f);
	wu_free(id);
}

static int count_history(const json_t *e, void *payload)
{
	json_array_append((json_t *)payload, (json_t *)e);
	return 0;
}

static void update_merges_validates_and_records_history(void **state)
{
	struct fixture *fx = *state;
	json_t *patch = json_pack("{ss sn}", "amount", "25.50", "note", NULL);
	assert_int_equal(wu_record_update(fx->db, fx->budget, patch, 0), WU_OK);
	json_decref(patch);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, fx->db, fx->budget), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "amount")), "25.50");
	assert_string_equal(json_string_value(json_object_get(rec, "category")), "kt");
	json_decref(rec);

	patch = json_pack("{ss}", "amount", "1.001");
	assert_int_equal(wu_record_update(fx->db, fx->budget, patch, 0), WU_EINVAL);
	json_decref(patch);
	patch = json_pack("{sn}", "project");
	assert_int_equal(wu_record_update(fx->db, fx->budget, patch, 0), WU_EINVAL);
	assert_contains(wu_errmsg(fx->db), "required");
	json_decref(patch);
	patch = json_pack("{ss}", "id", "0000");
	assert_int_equal(wu_record_update(fx->db, fx->budget, patch, 0), WU_EINVAL);
	json_decref(patch);

	json_t *h = json_array();
	assert_int_equal(wu_history(fx->db, fx->budget, count_history, h), WU_OK);
	assert_int_equal(json_array_size(h), 2);
	json_t *upd = json_array_get(h, 1);
	assert_string_equal(json_string_value(json_object_get(upd, "op")), "update");
	assert_string_equal(json_string_value(json_object_get(upd, "user")), "tester");
	json_t *ch = json_object_get(json_object_get(upd, "changes"), "amount");
	assert_string_equal(json_string_value(json_array_get(ch, 0)), "10.00");
	assert_string_equal(json_string_value(json_array_get(ch, 1)), "25.50");
	json_decref(h);

	/* a patch that changes nothing writes no history */
	patch = json_pack("{ss}", "amount", "25.5");
	assert_int_equal(wu_record_update(fx->db, fx->budget, patch, 0), WU_OK);
	json_decref(patch);
	h = json_array();
	assert_int_equal(wu_history(fx->db, fx->budget, count_history, h), WU_OK);
	assert_int_equal(json_array_size(h), 2);
	json_decref(h);
}

static void delete_refuses_referenced_records(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(wu_record_delete(fx->db, fx->org), WU_EREFERENCED);
	assert_contains(wu_errmsg(fx->db), "referenced by budget");
	assert_int_equal(wu_record_delete(fx->db, fx->budget), WU_OK);
	assert_int_equal(wu_record_delete(fx->db, fx->budget), WU_ENOTFOUND);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, fx->db, fx->budget), WU_ENOTFOUND);
	assert_int_equal(wu_record_delete(fx->db, fx->org), WU_OK);
	/* the history keeps what was removed */
	json_t *h = json_array();
	assert_int_equal(wu_history(fx->db, fx->budget, count_history, h), WU_OK);
	assert_int_equal(json_array_size(h), 2);
	json_t *del = json_object_get(json_array_get(h, 1), "changes");
	assert_string_equal(json_string_value(json_object_get(del, "amount")), "10.00");
	json_decref(h);
	/* the history cannot be rewritten */
	assert_int_not_equal(sqlite3_exec(fx->db->sql, "DELETE FROM history", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(fx->db->sql, "UPDATE history SET user = 'x'", NULL, NULL, NULL), SQLITE_OK);
}

static void one_partnership_per_project_and_org(void **state)
{
	struct fixture *fx = *state;
	char *json = fill(fx, "{\"project\":\"$PROJECT\",\"org\":\"$ORG\"}"), id[37];
	add_ok(fx->db, "partnership", json, id);
	assert_contains(add_fails(fx->db, "partnership", json, WU_EEXIST), "already a partner");
	free(json);
}

static void resolve_by_prefix_and_name(void **state)
{
	struct fixture *fx = *state;
	char *id = NULL, prefix[9];
	assert_int_equal(wu_resolve(&id, fx->db, "org", "Collective"), WU_OK);
	assert_string_equal(id, fx->org);
	wu_free(id);
	assert_int_equal(wu_resolve(&id, fx->db, NULL, fx->project), WU_OK);
	assert_string_equal(id, fx->project);
	wu_free(id);
	snprintf(prefix, sizeof prefix, "%.8s", fx->output);
	int rc = wu_resolve(&id, fx->db, "output", prefix);
	assert_int_equal(rc, WU_OK);
	assert_string_equal(id, fx->output);
	wu_free(id);
	assert_int_equal(wu_resolve(&id, fx->db, NULL, "nothing-like-this"), WU_ENOTFOUND);
	assert_int_equal(wu_resolve(&id, fx->db, "nosuchtype", "x"), WU_ENOTFOUND);
	/* two records whose ids share a prefix: the prefix is ambiguous */
	json_t *org = json_pack("{ss ss ss ss}", "id", "abcd0000-0000-4000-8000-000000000001", "name", "X1",
				"kind", "ngo", "country", "GB");
	assert_int_equal(wu_record_add(NULL, fx->db, "org", org, WU_KEEP_META), WU_OK);
	json_object_set_new(org, "id", json_string("abcd0000-0000-4000-8000-000000000002"));
	assert_int_equal(wu_record_add(NULL, fx->db, "org", org, WU_KEEP_META), WU_OK);
	json_decref(org);
	assert_int_equal(wu_resolve(&id, fx->db, NULL, "abcd0000"), WU_EAMBIGUOUS);
	assert_int_equal(wu_resolve(&id, fx->db, NULL, "abcd0000-0000-4000-8000-000000000002"), WU_OK);
	wu_free(id);
	assert_int_equal(wu_resolve(&id, fx->db, NULL, "abc"), WU_ENOTFOUND); /* too short to be a prefix */
}

static int collect(const json_t *rec, void *payload)
{
	json_array_append((json_t *)payload, (json_t *)rec);
	return 0;
}

static void list_filters_by_project_and_org(void **state)
{
	struct fixture *fx = *state;
	char *json = fill(fx, valid[11].json), id[37];
	add_ok(fx->db, "contribution", json, id);
	free(json);
	json_t *all = json_array();
	wu_query q = { .project = fx->project };
	assert_int_equal(wu_record_list(fx->db, NULL, &q, collect, all), WU_OK);
	assert_int_equal(json_array_size(all), 4); /* project, budget, output, contribution */
	json_decref(all);
	all = json_array();
	wu_query qo = { .org = fx->org2 };
	assert_int_equal(wu_record_list(fx->db, NULL, &qo, collect, all), WU_OK);
	assert_int_equal(json_array_size(all), 2); /* the org itself and the project it leads */
	json_decref(all);
	all = json_array();
	assert_int_equal(wu_record_list(fx->db, "budget", NULL, collect, all), WU_OK);
	assert_int_equal(json_array_size(all), 1);
	json_decref(all);
	assert_int_equal(wu_record_list(fx->db, "nosuch", NULL, collect, NULL), WU_ENOTFOUND);
}

/* The cache of ids known to exist never vouches for a record that is gone. */
static void reference_cache_forgets_what_is_gone(void **state)
{
	struct fixture *fx = *state;
	char org[37], prj[37];
	add_ok(fx->db, "org", "{\"name\":\"Short-lived\",\"kind\":\"ngo\",\"country\":\"GB\"}", org);
	char buf[256];
	snprintf(buf, sizeof buf, "{\"title\":\"T\",\"lead_org\":\"%s\"}", org);
	add_ok(fx->db, "project", buf, prj); /* the org id is now cached */
	assert_int_equal(wu_record_delete(fx->db, prj), WU_OK);
	assert_int_equal(wu_record_delete(fx->db, org), WU_OK);
	add_fails(fx->db, "project", buf, WU_EINVAL);

	/* an org added in a transaction that rolls back is not vouched for either */
	json_t *o = json_pack("{ss ss ss ss}", "id", "abcdabcd-0000-4000-8000-000000000009", "name", "Gone",
			      "kind", "ngo", "country", "GB");
	assert_int_equal(wu_begin(fx->db), WU_OK);
	assert_int_equal(wu_record_add(NULL, fx->db, "org", o, WU_KEEP_META), WU_OK);
	snprintf(buf, sizeof buf, "{\"title\":\"T2\",\"lead_org\":\"%s\"}", "abcdabcd-0000-4000-8000-000000000009");
	add_ok(fx->db, "project", buf, prj);
	assert_int_equal(wu_rollback(fx->db), WU_OK);
	add_fails(fx->db, "project", buf, WU_EINVAL);
	json_decref(o);
}

/* Ids are lowercase UUIDs: the characters either side of each range are not. */
static void ids_are_lowercase_uuids(void **state)
{
	(void)state;
	assert_true(wu__id_valid("00000000-0000-4000-8000-000000000000"));
	assert_true(wu__id_valid("abcdef01-2345-4789-8abc-def012345678"));
	static const char *const bad[] = {
		"ABCDEF01-2345-4789-8abc-def012345678", "abcdef01-2345-4789-8abc-def01234567g",
		"abcdef01-2345-4789-8abc-def01234567:", "abcdef01-2345-4789-8abc-def01234567/",
		"abcdef01-2345-4789-8abc-def01234567`", "abcdef012-345-4789-8abc-def012345678",
		"abcdef01-2345-4789-8abc-def01234567", "abcdef01-2345-4789-8abc-def0123456789",
		"abcdef01+2345-4789-8abc-def012345678", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (wu__id_valid(bad[i]))
			fail_msg("'%s' passed as an id", bad[i]);
	assert_false(wu__id_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_are_lowercase_uuids),
		cmocka_unit_test(every_type_has_a_valid_fixture),
		cmocka_unit_test_setup_teardown(valid_records_are_stored_canonically, setup, teardown),
		cmocka_unit_test_setup_teardown(canonical_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(each_required_field_is_required, setup, teardown),
		cmocka_unit_test_setup_teardown(enums_refuse_unknown_values, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_values_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(force_accepts_contact_like_text, setup, teardown),
		cmocka_unit_test_setup_teardown(text_values_are_converted, setup, teardown),
		cmocka_unit_test_setup_teardown(update_merges_validates_and_records_history, setup, teardown),
		cmocka_unit_test_setup_teardown(delete_refuses_referenced_records, setup, teardown),
		cmocka_unit_test_setup_teardown(one_partnership_per_project_and_org, setup, teardown),
		cmocka_unit_test_setup_teardown(resolve_by_prefix_and_name, setup, teardown),
		cmocka_unit_test_setup_teardown(list_filters_by_project_and_org, setup, teardown),
		cmocka_unit_test_setup_teardown(reference_cache_forgets_what_is_gone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
