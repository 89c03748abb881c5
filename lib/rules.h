/*
 * rules.h - between the check engine (check.c) and the rule conditions (rules.c).
 */
#ifndef WU_RULES_H
#define WU_RULES_H

#include "facts.h"

enum { WU_OUT_PASS, WU_OUT_FAIL, WU_OUT_INSUFFICIENT, WU_OUT_NA };

/* One rule judging one project: inputs, then what the rule reports. */
struct wu_eval {
	wu_db *db;
	const struct wu_fproject *p;
	const wu_rule *rule;
	const wu_policy *policy;
	int64_t today;            /* days since 1970-01-01 of the as-of date */

	int outcome;              /* WU_OUT_*; starts as PASS */
	wu_idvec records;
	char message[512], expected[256], actual[256];
	const char *remedy;       /* NULL: the rule's `how` */
	bool nomem;

	/* A rule that finds several separate things (each disputed claim) files
	 * all but the last with emit(); the last is filed as usual. emit()
	 * clears the message and records for the next one. */
	int (*emit)(struct wu_eval *e);
	void *emit_ctx;
};

void wu__rule_eval(const wu_rule *r, struct wu_eval *e);

/* The position of `r` in the catalogue. */
size_t wu__rule_index(const wu_rule *r);
/* The severity of an insufficient-data finding under `pol`. */
wu_severity wu__policy_insufficient(const wu_policy *pol);

/* check.c: wu_check, keeping the facts for the caller (who frees them). */
int wu__check_keep(wu_result **out, wu_db *db, const wu_check_opts *opts, struct wu_facts *keep);

#endif
