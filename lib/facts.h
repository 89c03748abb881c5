/*
 * facts.h - what the rules know about each project, gathered in one scan
 * of each record table (facts.c) and read by the rules (rules.c).
 *
 * The facts hold no thresholds: a policy can move every threshold, so the
 * scan keeps the figures (seats, lags, rates, dates) and the rules compare.
 */
#ifndef WU_FACTS_H
#define WU_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

#define WU_NPHASES 8
enum { WU_LV_NONE, WU_LV_INFORM, WU_LV_CONSULT, WU_LV_INVOLVE, WU_LV_COLLABORATE, WU_LV_LEAD };
/* Indexes into the model's value lists (lib/model.c), which fix their order. */
enum { WU_PH_IDENTIFYING, WU_PH_COMMISSIONING, WU_PH_DESIGN, WU_PH_UNDERTAKING, WU_PH_ANALYSIS,
       WU_PH_DISSEMINATION, WU_PH_EVALUATION, WU_PH_GOVERNANCE };
enum { WU_STANCE_PUBLIC, WU_STANCE_SUPPORT, WU_STANCE_NONE, WU_STANCE_OPPOSED };
enum { WU_LEGAL_FULL, WU_LEGAL_PARTIAL, WU_LEGAL_CLIENT, WU_LEGAL_REGULATION, WU_LEGAL_DECRIM,
       WU_LEGAL_UNKNOWN };
enum { WU_GROUP_SEX_WORKERS = 0 }; /* first of the model's groups */

/* The sex worker-led test (Red Umbrella Fund: at least 60% of the
 * decision-making body and of spokespeople, and 33% of staff, are sex
 * workers; or the organisation declares itself sex worker-led) as an SQL
 * expression over org alias `o`: the one place it is written. */
#define WU_SQL_SWLO(o) "(coalesce(" o ".swl_self_declared, 0) = 1 OR (" o ".swl_board_pct >= 60 AND " \
	o ".swl_spokes_pct >= 60 AND " o ".swl_staff_pct >= 33))"

typedef char wu_id[37];
typedef char wu_date[11]; /* "" when not recorded */

/* A growable array; grown by wu__vec_push. */
#define WU_VEC(T) struct { T *v; size_t n, cap; }
typedef WU_VEC(wu_id) wu_idvec;
/* Makes room for one more element of `size` bytes at the end of the array
 * whose pointer is at `vp`; returns it zeroed, or NULL when out of memory.
 * (The pointer is read and written with memcpy: it may point to any T *.) */
void *wu__vec_push(void *vp, size_t *n, size_t *cap, size_t size);
#define WU_PUSH(vec) wu__vec_push(&(vec).v, &(vec).n, &(vec).cap, sizeof *(vec).v)
#define WU_VEC_FREE(vec) free((vec).v)

struct wu_fpartner {
	wu_id id;
	wu_date signed_on;
	unsigned covers;        /* bit mask of agreement terms */
	unsigned roles;         /* bit mask of research roles */
	int8_t co_applicant;    /* -1 not recorded */
	int8_t direct_awardee;
	int64_t questions;      /* -1 not recorded */
};

struct wu_fbody { wu_id id; int64_t seats, swlo_seats; };

/* The newest attestation on one claim (lib/audit.c). */
enum { WU_ATT_CONFIRMED, WU_ATT_PARTLY, WU_ATT_DISPUTED };
struct wu_fattest {
	wu_id id, claim;
	int status;             /* WU_ATT_* */
	bool current;           /* the claim is unchanged since */
	bool swlo;              /* by a SWLO, on a claim counted in swlo_claims */
	char type[16];          /* the claim's type */
	char comment[96];       /* the start of the comment */
};
struct wu_flag { wu_id id; int64_t days; };
struct wu_frate { wu_id id; int party, role, unit; char currency[4]; int64_t amount; };

struct wu_foutput {
	wu_id id;
	int kind;
	int8_t peer_reviewed, coauthorship_offered; /* -1 not recorded */
	int stance;                                 /* -1 not recorded */
	wu_date review_sent, submitted, published, returned;
	bool swlo_contribution;
};

/* Money of one kind of budget (original or revised), in one currency. */
struct wu_fmoney {
	char currency[4];
	bool mixed;             /* lines in more than one currency */
	bool overflow;
	size_t lines;
	int64_t total, swlo, kt, kt_swlo, swlo_overhead, swlo_committed;
};

struct wu_fproject {
	wu_id id;
	char *title;
	int stance;                           /* -1 not recorded */
	int8_t dp_plan, le_policy, certificate, police_recruit, police_data; /* -1 not recorded */
	wu_date planned_start, planned_end, actual_start, actual_end;
	unsigned populations;
	bool populations_recorded;

	int sites, sites_not_decrim;
	wu_idvec site_ids, sites_unknown;

	int partners;
	unsigned community_represents;        /* groups represented by community-led partners */
	WU_VEC(struct wu_fpartner) swlo_partners;
	wu_idvec unevidenced_orgs;            /* recorded as sex worker-led without evidence */

	int swlo_level[WU_NPHASES];           /* highest SWLO level per phase; -1 none recorded */
	int swlo_inv_count[WU_NPHASES][WU_LV_LEAD + 1]; /* SWLO involvement records by phase and level */
	wu_idvec swlo_involvement, uncorroborated;
	wu_date collection_start;             /* earliest start of the undertaking phase */

	WU_VEC(struct wu_fbody) bodies;

	int swlo_lead_roles, peer_roles;
	wu_idvec peer_not_via_swlo, peer_route_unknown;

	struct wu_fmoney money[2];            /* original, revised */
	wu_idvec budget_ids, match_required, via_intermediary;
	bool swlo_overhead_line;

	char disbursed_currency[4];
	bool disbursed_mixed, disbursed_overflow;
	int64_t swlo_disbursed;
	int swlo_disbursements;
	wu_idvec undated_payments;
	WU_VEC(struct wu_flag) lags;

	WU_VEC(struct wu_frate) rates;
	WU_VEC(struct wu_foutput) outputs;

	/* Claims naming SWLOs that they can attest: partnerships, involvement,
	 * budget lines, disbursements and contributions. */
	int64_t swlo_claims;
	WU_VEC(struct wu_fattest) attestations;
};

struct wu_facts {
	struct wu_fproject *projects;
	size_t nprojects, cap;
};

/* Scans the record tables once and fills `out` for the projects named in
 * `ids` (all when ids is NULL). */
int wu__facts_gather(wu_db *db, struct wu_facts *out, const char *const *ids, size_t nids);
void wu__facts_free(struct wu_facts *f);

/* Copies at most size - 1 bytes of `src` (NULL: "") into `dst`, terminated.
 * The scan copies millions of ids and dates: snprintf("%s") costs 10x. */
static inline void wu__copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* Days since 1970-01-01 of an ISO date, or INT64_MIN when it is not one. */
int64_t wu__date_days(const char *date);

#endif
