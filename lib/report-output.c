/*
 * report-output.c - writes a report document (report.c, docs/report.md) as
 * terminal text, JSON, CSV, or one self-contained HTML page whose charts
 * are inline SVG: no script, no external asset, and it prints.
 *
 * Every writer reads only the document, so what a privacy profile left out
 * of it cannot appear in any format.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* A writer keeps the first write error and stops caring about the rest. */
/* A count or a suppressed count ("<5") as text. */
static const char *count_text(char buf[24], const json_t *v)
{
	if (json_is_string(v))
		snprintf(buf, 24, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, 24, "-");
	return buf;
}

static const char *pct_text(char buf[24], const json_t *v)
{
	if (json_is_string(v))
		snprintf(buf, 24, "%s%%", json_string_value(v));
	else
		snprintf(buf, 24, "n/a");
	return buf;
}

/* Tenths of a percent from "42.8" (0 when absent): for chart geometry only. */
static int pct_tenths(const json_t *v)
{
	const char *s = json_string_value(v);
	if (!s)
		return 0;
	long whole = strtol(s, NULL, 10);
	const char *dot = strchr(s, '.');
	return (int)(whole * 10 + (dot && dot[1] >= '0' && dot[1] <= '9' ? dot[1] - '0' : 0));
}

static const char *const rec_short[] = { "decriminalisation", "collaboration", "expertise", "funding" };

/* ---- text -------------------------------------------------------------------------- */

/* "identifying lead, design collaborate, ...": the highest level recorded per phase. */
static void involvement_line(struct wu_out *o, const json_t *doc, const json_t *rows)
{
	const json_t *axes = json_object_get(doc, "involvement_axes");
	size_t ph;
	const json_t *row;
	bool any = false;
	json_array_foreach(rows, ph, row) {
		int top = -1;
		size_t lv;
		const json_t *c;
		json_array_foreach(row, lv, c)
			if (json_is_string(c) || json_integer_value(c) > 0)
				top = (int)lv;
		if (top < 0)
			continue;
		wu__put(o, "%s%s %s", any ? ", " : "", json_string_value(json_array_get(json_object_get(axes, "phases"), ph)),
		    json_string_value(json_array_get(json_object_get(axes, "levels"), (size_t)top)));
		any = true;
	}
	wu__put(o, "%s\n", any ? "" : "none recorded");
}

static void text_money(struct wu_out *o, const json_t *m, const char *label)
{
	char a[24], b[24], c[24];
	wu__put(o, "  %-19s %s %s; to SWLOs %s (%s)\n", label, wu__jstr(m, "currency"), wu__jstr(m, "budget"), wu__jstr(m, "swlo"),
	    pct_text(a, json_object_get(m, "swlo_share_pct")));
	wu__put(o, "  %-19s %s %s (%s of the budget); to SWLOs %s (%s)\n", "  KT budget", wu__jstr(m, "currency"), wu__jstr(m, "kt"),
	    pct_text(b, json_object_get(m, "kt_share_pct")), wu__jstr(m, "kt_swlo"), pct_text(c, json_object_get(m, "kt_swlo_share_pct")));
	wu__put(o, "  %-19s %s %s committed to SWLOs; %s disbursed (%s)\n", "  committed", wu__jstr(m, "currency"), wu__jstr(m, "committed_swlo"),
	    wu__jstr(m, "disbursed_swlo"), pct_text(a, json_object_get(m, "disbursed_share_pct")));
}

static void text_payments(struct wu_out *o, const json_t *p)
{
	char n[24], u[24];
	wu__put(o, "  %-19s %s dated", "payments to SWLOs", count_text(n, json_object_get(p, "count")));
	if (json_object_get(p, "lag_median_days"))
		wu__put(o, ", lag median %lld days, longest %lld days", (long long)json_integer_value(json_object_get(p, "lag_median_days")),
		    (long long)json_integer_value(json_object_get(p, "lag_max_days")));
	wu__put(o, "; %s undated\n", count_text(u, json_object_get(p, "undated")));
}

static void text_findings(struct wu_out *o, const json_t *f)
{
	char b[4][24];
	wu__put(o, "  %-19s %s errors, %s warnings, %s info (%s for insufficient data)\n", "findings",
	    count_text(b[0], json_object_get(f, "error")), count_text(b[1], json_object_get(f, "warning")),
	    count_text(b[2], json_object_get(f, "info")), count_text(b[3], json_object_get(f, "insufficient_data")));
}

static void text_claims(struct wu_out *o, const json_t *c)
{
	char b[6][24];
	wu__put(o, "  %-19s %s: %s confirmed, %s partly, %s disputed, %s edited since, %s not reviewed\n", "claims about SWLOs",
	    count_text(b[0], json_object_get(c, "swlo_claims")), count_text(b[1], json_object_get(c, "confirmed")),
	    count_text(b[2], json_object_get(c, "partly_confirmed")), count_text(b[3], json_object_get(c, "disputed")),
	    count_text(b[4], json_object_get(c, "edited_since")), count_text(b[5], json_object_get(c, "unreviewed")));
}

static void text_project(struct wu_out *o, const json_t *doc, const json_t *p)
{
	wu__put(o, "\n%s (%.8s)\n", wu__jstr(p, "title"), wu__jstr(p, "id"));
	wu__put(o, "  %-19s %s\n  %-19s", "lead", wu__jstr(json_object_get(p, "lead_org"), "label"), "partners");
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(p, "partners"), i, e)
		wu__put(o, "%s %s%s", i ? "," : "", wu__jstr(e, "label"), json_is_true(json_object_get(e, "swlo")) ? " (sex worker-led)" : "");
	wu__put(o, "%s\n  %-19s", json_array_size(json_object_get(p, "partners")) ? "" : " none recorded", "sites");
	json_array_foreach(json_object_get(p, "sites"), i, e)
		wu__put(o, "%s %s%s%s%s", i ? "," : "", wu__jstr(e, "country"), json_object_get(e, "region") ? " (" : "",
		    wu__jstr(e, "region"), json_object_get(e, "region") ? ")" : "");
	wu__put(o, "%s\n", json_array_size(json_object_get(p, "sites")) ? "" : " none recorded");
	char label[40];
	snprintf(label, sizeof label, "budget (%s)", wu__jstr(p, "budget_basis"));
	json_array_foreach(json_object_get(p, "money"), i, e)
		text_money(o, e, label);
	if (!json_array_size(json_object_get(p, "money")))
		wu__put(o, "  %-19s none recorded\n", "budget");
	const json_t *conv = json_object_get(p, "converted");
	if (json_is_null(conv))
		wu__put(o, "  %-19s no rate for every currency: not added up\n", "converted");
	else if (conv)
		text_money(o, conv, "converted");
	text_payments(o, json_object_get(p, "payments"));
	wu__put(o, "  %-19s ", "SWLO involvement");
	involvement_line(o, doc, json_object_get(p, "involvement"));
	wu__put(o, "  %-19s", "recommendations");
	json_array_foreach(json_object_get(p, "recommendations"), i, e)
		wu__put(o, "%s %lld %s", i ? "," : "", (long long)json_integer_value(json_object_get(e, "recommendation")), wu__jstr(e, "status"));
	wu__put(o, "\n");
	text_findings(o, json_object_get(p, "findings"));
	text_claims(o, json_object_get(p, "claims"));
}

static void write_text(struct wu_out *o, const json_t *doc)
{
	const json_t *totals = json_object_get(doc, "totals");
	wu__put(o, "withus report as of %s (profile %s, policy %s)\n", wu__jstr(doc, "as_of"), wu__jstr(doc, "profile"), wu__jstr(doc, "policy"));
	if (json_object_get(doc, "projects_left_out"))
		wu__put(o, "%lld projects not shared are left out\n", (long long)json_integer_value(json_object_get(doc, "projects_left_out")));
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(doc, "projects"), i, p)
		text_project(o, doc, p);
	long long nproj = (long long)json_integer_value(json_object_get(totals, "projects"));
	wu__put(o, "\nPortfolio: %lld project%s\n", nproj, nproj == 1 ? "" : "s");
	json_array_foreach(json_object_get(totals, "money"), i, p)
		text_money(o, p, "budget");
	const json_t *conv = json_object_get(totals, "converted");
	if (json_is_null(conv)) {
		wu__put(o, "  %-19s not added up in %s: no rate for", "converted", wu__jstr(doc, "currency"));
		json_array_foreach(json_object_get(totals, "missing_rates"), i, p)
			wu__put(o, " %s", json_string_value(p));
		wu__put(o, " (withus rate add)\n");
	} else if (conv) {
		text_money(o, conv, "converted");
	}
	text_payments(o, json_object_get(totals, "payments"));
	json_array_foreach(json_object_get(totals, "recommendations"), i, p) {
		char b[4][24];
		wu__put(o, "  recommendation %lld   met %s, partly met %s, not met %s, insufficient data %s\n",
		    (long long)json_integer_value(json_object_get(p, "recommendation")), count_text(b[0], json_object_get(p, "met")),
		    count_text(b[1], json_object_get(p, "partly met")), count_text(b[2], json_object_get(p, "not met")),
		    count_text(b[3], json_object_get(p, "insufficient data")));
		text_findings(o, json_object_get(p, "findings"));
	}
	text_claims(o, json_object_get(totals, "claims"));
}

/* ---- CSV --------------------------------------------------------------------------- */

static const char *const csv_money[] = { "budget", "swlo", "swlo_share_pct", "kt", "kt_share_pct", "kt_swlo",
					 "kt_swlo_share_pct", "committed_swlo", "disbursed_swlo", "disbursed_share_pct" };
#define NCSV_MONEY (sizeof csv_money / sizeof csv_money[0])

static void csv_value(struct wu_out *o, const json_t *v, bool last)
{
	char buf[24];
	wu__csv_safe_cell(o, json_is_string(v) ? json_string_value(v) : json_is_integer(v) ? count_text(buf, v) : "", last);
}

static void csv_row(struct wu_out *o, const json_t *p, const json_t *m, const char *id, const char *title, const char *basis)
{
	wu__csv_safe_cell(o, id, false);
	wu__csv_safe_cell(o, title, false);
	wu__csv_safe_cell(o, m ? wu__jstr(m, "currency") : "", false);
	wu__csv_safe_cell(o, basis, false);
	for (size_t i = 0; i < NCSV_MONEY; i++)
		csv_value(o, m ? json_object_get(m, csv_money[i]) : NULL, false);
	const json_t *pay = json_object_get(p, "payments");
	csv_value(o, json_object_get(pay, "count"), false);
	csv_value(o, json_object_get(pay, "lag_median_days"), false);
	csv_value(o, json_object_get(pay, "lag_max_days"), false);
	const json_t *recs = json_object_get(p, "recommendations");
	for (size_t k = 0; k < 4; k++) {
		const json_t *r = json_array_get(recs, k);
		wu__csv_safe_cell(o, r && json_object_get(r, "status") ? wu__jstr(r, "status") : "", false);
	}
	static const char *const severities[] = { "error", "warning", "info", "insufficient_data" };
	for (size_t i = 0; i < 4; i++)
		csv_value(o, json_object_get(json_object_get(p, "findings"), severities[i]), false);
	static const char *const claims[] = { "swlo_claims", "confirmed", "partly_confirmed", "disputed", "edited_since", "unreviewed" };
	for (size_t i = 0; i < 6; i++)
		csv_value(o, json_object_get(json_object_get(p, "claims"), claims[i]), i == 5);
}

static void write_csv(struct wu_out *o, const json_t *doc)
{
	wu__put(o, "project_id,title,currency,budget_basis");
	for (size_t i = 0; i < NCSV_MONEY; i++)
		wu__put(o, ",%s", csv_money[i]);
	wu__put(o, ",payments,lag_median_days,lag_max_days,recommendation_1,recommendation_2,recommendation_3,recommendation_4,"
	       "findings_error,findings_warning,findings_info,findings_insufficient_data,"
	       "swlo_claims,confirmed,partly_confirmed,disputed,edited_since,unreviewed\r\n");
	size_t i, k;
	const json_t *p, *m;
	json_array_foreach(json_object_get(doc, "projects"), i, p) {
		json_array_foreach(json_object_get(p, "money"), k, m)
			csv_row(o, p, m, wu__jstr(p, "id"), wu__jstr(p, "title"), wu__jstr(p, "budget_basis"));
		if (!json_array_size(json_object_get(p, "money")))
			csv_row(o, p, NULL, wu__jstr(p, "id"), wu__jstr(p, "title"), wu__jstr(p, "budget_basis"));
		if (json_is_object(json_object_get(p, "converted")))
			csv_row(o, p, json_object_get(p, "converted"), wu__jstr(p, "id"), wu__jstr(p, "title"), "converted");
	}
	/* Totals: money per currency; statuses are counts, so they stay in JSON and text. */
	const json_t *totals = json_object_get(doc, "totals");
	json_t *tp = json_pack("{sOsO}", "payments", json_object_get(totals, "payments"), "claims", json_object_get(totals, "claims"));
	json_array_foreach(json_object_get(totals, "money"), k, m)
		csv_row(o, tp, m, "TOTAL", "all projects", "");
	if (json_is_object(json_object_get(totals, "converted")))
		csv_row(o, tp, json_object_get(totals, "converted"), "TOTAL", "all projects", "converted");
	json_decref(tp);
}

/* ---- HTML -------------------------------------------------------------------------- */

static const char *status_class(const char *s)
{
	if (!strcmp(s, "met"))
		return "met";
	if (!strcmp(s, "partly met"))
		return "partly";
	if (!strcmp(s, "not met"))
		return "notmet";
	return "insufficient";
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>withus portfolio report</title>\n<style>\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d1d1f;margin:2em auto;max-width:70em;padding:0 1em}\n"
	"h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}\n"
	"p.meta{color:#555;margin:0 0 1em}table{border-collapse:collapse;width:100%;margin:.5em 0}\n"
	"th,td{border:1px solid #ccc;padding:.25em .45em;text-align:right;vertical-align:top}\n"
	"th{background:#f2f2f2}td.t,th.t{text-align:left}\n"
	".met{background:#cdebd3}.partly{background:#fff0c2}.notmet{background:#f7c9c9}.insufficient{background:#e4e4e4}\n"
	"svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#1d1d1f}\n"
	".charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:.5em 0}figcaption{color:#555;font-size:.9em}\n"
	"figure.heat{flex:0 0 auto;width:310px;margin:0}figure.heat figcaption{font-weight:600;color:#1d1d1f}\n"
	"@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}figure,table{break-inside:avoid}}\n"
	"</style>\n</head>\n<body>\n";

static void html_summary(struct wu_out *o, const json_t *doc)
{
	wu__put(o, "<h2 id=\"projects\">Projects</h2>\n<table>\n<tr><th class=\"t\">project</th><th>currency</th><th>budget</th>"
	       "<th>to SWLOs</th><th>KT to SWLOs</th><th>disbursed of committed</th><th>payment lag (median / longest)</th>");
	for (int k = 0; k < 4; k++)
		wu__put(o, "<th>%d %s</th>", k + 1, rec_short[k]);
	wu__put(o, "<th>claims confirmed / disputed</th></tr>\n");
	size_t i, k;
	const json_t *p, *m;
	json_array_foreach(json_object_get(doc, "projects"), i, p) {
		size_t n = json_array_size(json_object_get(p, "money"));
		for (k = 0; k < (n ? n : 1); k++) {
			m = json_array_get(json_object_get(p, "money"), k);
			char a[24], b[24], c[24];
			wu__put(o, "<tr><td class=\"t\">");
			wu__put_markup(o, wu__jstr(p, "title"));
			wu__put(o, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>", m ? wu__jstr(m, "currency") : "-",
			    m ? wu__jstr(m, "budget") : "-", pct_text(a, json_object_get(m, "swlo_share_pct")),
			    pct_text(b, json_object_get(m, "kt_swlo_share_pct")), pct_text(c, json_object_get(m, "disbursed_share_pct")));
			const json_t *pay = json_object_get(p, "payments");
			if (json_object_get(pay, "lag_median_days"))
				wu__put(o, "<td>%lld / %lld days</td>", (long long)json_integer_value(json_object_get(pay, "lag_median_days")),
				    (long long)json_integer_value(json_object_get(pay, "lag_max_days")));
			else
				wu__put(o, "<td>-</td>");
			size_t r;
			const json_t *rec;
			json_array_foreach(json_object_get(p, "recommendations"), r, rec)
				wu__put(o, "<td class=\"%s\">%s</td>", status_class(wu__jstr(rec, "status")), wu__jstr(rec, "status"));
			const json_t *cl = json_object_get(p, "claims");
			wu__put(o, "<td>%s / %s of %s</td></tr>\n", count_text(a, json_object_get(cl, "confirmed")),
			    count_text(b, json_object_get(cl, "disputed")), count_text(c, json_object_get(cl, "swlo_claims")));
		}
	}
	wu__put(o, "</table>\n");
}

/* Bars of the SWLO share of each project's budget, with the floor in force. */
static void svg_shares(struct wu_out *o, const json_t *doc)
{
	const json_t *projects = json_object_get(doc, "projects");
	size_t rows = 0, i, k;
	const json_t *p, *m;
	json_array_foreach(projects, i, p)
		rows += json_array_size(json_object_get(p, "money"));
	int w = 760, label = 300, barw = 400, rowh = 26, top = 30, h = top + (int)rows * rowh + 30;
	wu__put(o, "<figure id=\"chart-swlo-share\"><svg role=\"img\" aria-labelledby=\"t-share\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	       "height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"t-share\">Share of each project's budget for sex "
	       "worker-led organisations</title>\n",
	    w, h, w, h);
	for (int t = 0; t <= 100; t += 25)
		wu__put(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d%%</text>\n",
		    label + barw * t / 100, top - 6, label + barw * t / 100, h - 24, label + barw * t / 100, h - 8, t);
	int row = 0;
	const json_t *floor = json_object_get(json_object_get(doc, "thresholds"), "swlo_share_pct");
	json_array_foreach(projects, i, p) {
		json_array_foreach(json_object_get(p, "money"), k, m) {
			int tenths = pct_tenths(json_object_get(m, "swlo_share_pct"));
			int y = top + row * rowh;
			bool below = json_is_integer(floor) && tenths < json_integer_value(floor) * 10;
			wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label - 8, y + 16);
			wu__put_markup(o, wu__jstr(p, "title"));
			wu__put(o, " (%s)</text>\n<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			       "<text x=\"%d\" y=\"%d\">%s%%</text>\n",
			    wu__jstr(m, "currency"), label, y + 4, barw * (tenths > 1000 ? 1000 : tenths) / 1000, rowh - 8,
			    below ? "#c0392b" : "#2e7d32", label + barw * (tenths > 1000 ? 1000 : tenths) / 1000 + 6, y + 16,
			    json_is_string(json_object_get(m, "swlo_share_pct")) ? wu__jstr(m, "swlo_share_pct") : "n/a");
			row++;
		}
	}
	if (json_is_integer(floor)) {
		int x = label + barw * (int)json_integer_value(floor) / 100;
		wu__put(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1d1d1f\" stroke-dasharray=\"4 3\"/>"
		       "<text x=\"%d\" y=\"%d\">floor %lld%%</text>\n",
		    x, top - 4, x, h - 24, x + 4, top - 12 > 10 ? top - 12 : 12, (long long)json_integer_value(floor));
	}
	wu__put(o, "</svg><figcaption>SWLO share of the budget per project and currency; red bars are under the floor of "
	       "the policy in force.</figcaption></figure>\n");
}

/* "1234.50" as 123450: the figure in minor units, for chart geometry. */
static long long minor_units(const char *decimal)
{
	char digits[48];
	size_t d = 0;
	for (const char *c = decimal; *c && d < sizeof digits - 1; c++)
		if (*c != '.')
			digits[d++] = *c;
	digits[d] = '\0';
	return strtoll(digits, NULL, 10);
}

/* Cumulative money committed to SWLOs and disbursed to them, by month. */
static void svg_series(struct wu_out *o, const json_t *doc)
{
	size_t i, k;
	const json_t *s, *m;
	json_array_foreach(json_object_get(doc, "series"), i, s) {
		const json_t *months = json_object_get(s, "months");
		size_t n = json_array_size(months);
		if (!n)
			continue;
		/* the scale: the largest cumulative figure, in minor units' digits (no floating point) */
		long long max = 1;
		json_array_foreach(months, k, m) {
			const char *keys[2] = { "committed_total", "disbursed_total" };
			for (int j = 0; j < 2; j++) {
				long long v = minor_units(wu__jstr(m, keys[j]));
				if (v > max)
					max = v;
			}
		}
		int w = 760, left = 60, right = 50, top = 20, ploth = 200, h = top + ploth + 50;
		int step = n > 1 ? (w - left - right) / (int)(n - 1) : 0;
		wu__put(o, "<figure class=\"series\" id=\"chart-series-%s\"><svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		       "xmlns=\"http://www.w3.org/2000/svg\">\n<title>Committed to and disbursed to SWLOs over time (%s)</title>\n",
		    wu__jstr(s, "currency"), w, h, w, h, wu__jstr(s, "currency"));
		wu__put(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", left, top + ploth, w - right, top + ploth);
		const char *keys[2] = { "committed_total", "disbursed_total" };
		const char *colours[2] = { "#1f5fa8", "#e08a00" };
		for (int j = 0; j < 2; j++) {
			wu__put(o, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"", j ? "disbursed" : "committed",
			    colours[j]);
			json_array_foreach(months, k, m) {
				long long v = minor_units(wu__jstr(m, keys[j]));
				int x = left + (int)k * step, y = top + ploth - (int)((__int128)v * ploth / max);
				wu__put(o, "%s%d,%d", k ? " " : "", x, y);
			}
			wu__put(o, "\"/>\n");
		}
		json_array_foreach(months, k, m)
			if (k == 0 || k == n - 1 || n <= 12 || k % (n / 6 + 1) == 0)
				wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", left + (int)k * step, top + ploth + 16,
				    wu__jstr(m, "month"));
		const json_t *last = json_array_get(months, n - 1);
		wu__put(o, "<text x=\"%d\" y=\"%d\" fill=\"#1f5fa8\">committed %s %s</text><text x=\"%d\" y=\"%d\" fill=\"#e08a00\">disbursed %s %s</text>\n",
		    left, h - 8, wu__jstr(s, "currency"), wu__jstr(last, "committed_total"), left + 300, h - 8, wu__jstr(s, "currency"),
		    wu__jstr(last, "disbursed_total"));
		wu__put(o, "</svg><figcaption>Money committed to sex worker-led organisations and disbursed to them, cumulative by "
		       "month, in %s.</figcaption></figure>\n",
		    wu__jstr(s, "currency"));
	}
}

/* Involvement of SWLOs by phase (rows) and level (columns), per project. */
static void svg_heatmaps(struct wu_out *o, const json_t *doc)
{
	const json_t *axes = json_object_get(doc, "involvement_axes");
	const json_t *phases = json_object_get(axes, "phases"), *levels = json_object_get(axes, "levels");
	size_t i, ph, lv;
	const json_t *p, *row, *c;
	wu__put(o, "<div class=\"charts\">\n");
	json_array_foreach(json_object_get(doc, "projects"), i, p) {
		int cell = 30, left = 100, top = 70, w = left + cell * (int)json_array_size(levels) + 30;
		int h = top + cell * (int)json_array_size(phases) + 10;
		wu__put(o, "<figure class=\"heat\"><svg class=\"heatmap\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		       "xmlns=\"http://www.w3.org/2000/svg\">\n<title>SWLO involvement by phase and level: ", w, h, w, h);
		wu__put_markup(o, wu__jstr(p, "title"));
		wu__put(o, "</title>\n");
		json_array_foreach(levels, lv, c)
			wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\" transform=\"rotate(-35 %d %d)\">%s</text>\n",
			    left + (int)lv * cell + 6, top - 6, left + (int)lv * cell + 6, top - 6, json_string_value(c));
		json_array_foreach(json_object_get(p, "involvement"), ph, row) {
			wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6, top + (int)ph * cell + 19,
			    json_string_value(json_array_get(phases, ph)));
			json_array_foreach(row, lv, c) {
				char buf[24];
				bool some = json_is_string(c) || json_integer_value(c) > 0;
				int shade = some ? 40 + (int)lv * 30 : 0;
				wu__put(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"",
				    left + (int)lv * cell, top + (int)ph * cell, cell, cell, some ? "" : "#f0f0f0");
				if (some)
					wu__put(o, " style=\"fill:rgb(%d,%d,%d)\"", 230 - shade, 240 - shade / 2, 250 - shade / 3);
				wu__put(o, "/>");
				if (some)
					wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", left + (int)lv * cell + cell / 2,
					    top + (int)ph * cell + 19, count_text(buf, c));
				wu__put(o, "\n");
			}
		}
		wu__put(o, "</svg><figcaption>");
		wu__put_markup(o, wu__jstr(p, "title"));
		wu__put(o, "</figcaption></figure>\n");
	}
	wu__put(o, "</div>\n<p class=\"meta\">Each grid counts a project's records of SWLO involvement by research phase "
	       "(rows) and level (columns, from none to lead).</p>\n");
}

/* How many projects meet each recommendation: stacked bars. */
static void svg_recommendations(struct wu_out *o, const json_t *doc)
{
	static const char *const statuses[] = { "met", "partly met", "not met", "insufficient data" };
	static const char *const colours[] = { "#2e7d32", "#f0b400", "#c0392b", "#9e9e9e" };
	const json_t *recs = json_object_get(json_object_get(doc, "totals"), "recommendations");
	long long total = json_integer_value(json_object_get(json_object_get(doc, "totals"), "projects"));
	int w = 760, label = 170, barw = 540, rowh = 34, top = 10, h = top + 4 * rowh + 40;
	wu__put(o, "<figure id=\"chart-recommendations\"><svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	       "xmlns=\"http://www.w3.org/2000/svg\">\n<title>Projects by status, per recommendation</title>\n",
	    w, h, w, h);
	size_t k;
	const json_t *r;
	json_array_foreach(recs, k, r) {
		int y = top + (int)k * rowh, x = label;
		wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%zu %s</text>\n", label - 8, y + 20, k + 1, rec_short[k]);
		for (int s = 0; s < 4; s++) {
			const json_t *v = json_object_get(r, statuses[s]);
			long long n = json_is_integer(v) ? json_integer_value(v) : 0;
			int bw = total > 0 ? (int)(barw * n / total) : 0;
			if (json_is_string(v))
				bw = barw / 20; /* suppressed: a sliver, labelled */
			if (!bw)
				continue;
			char buf[24];
			wu__put(o, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			       "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" style=\"fill:#fff\">%s</text>\n",
			    status_class(statuses[s]), x, y + 4, bw, rowh - 8, colours[s], x + bw / 2, y + 21, count_text(buf, v));
			x += bw;
		}
	}
	for (int s = 0; s < 4; s++)
		wu__put(o, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
		    label + s * 140, h - 22, colours[s], label + s * 140 + 16, h - 12, statuses[s]);
	wu__put(o, "</svg><figcaption>Number of projects meeting each recommendation.</figcaption></figure>\n");
}

/* Findings per recommendation, stacked by severity. */
static void svg_findings(struct wu_out *o, const json_t *doc)
{
	static const char *const severities[] = { "error", "warning", "info", "insufficient_data" };
	static const char *const labels[] = { "error", "warning", "info", "insufficient data" };
	static const char *const colours[] = { "#c0392b", "#f0b400", "#1f5fa8", "#9e9e9e" };
	const json_t *recs = json_object_get(json_object_get(doc, "totals"), "recommendations");
	long long most = 1;
	size_t k;
	const json_t *r;
	json_array_foreach(recs, k, r) {
		long long sum = 0;
		for (int s = 0; s < 4; s++)
			sum += json_integer_value(json_object_get(json_object_get(r, "findings"), severities[s]));
		if (sum > most)
			most = sum;
	}
	int w = 760, label = 170, barw = 520, rowh = 34, top = 10, h = top + 4 * rowh + 40;
	wu__put(o, "<figure id=\"chart-findings\"><svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	       "xmlns=\"http://www.w3.org/2000/svg\">\n<title>Findings per recommendation, by severity</title>\n",
	    w, h, w, h);
	json_array_foreach(recs, k, r) {
		int y = top + (int)k * rowh, x = label;
		long long total = 0;
		wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%zu %s</text>\n", label - 8, y + 20, k + 1, rec_short[k]);
		for (int s = 0; s < 4; s++) {
			const json_t *v = json_object_get(json_object_get(r, "findings"), severities[s]);
			long long n = json_is_integer(v) ? json_integer_value(v) : 0;
			int bw = (int)(barw * n / most);
			if (json_is_string(v))
				bw = barw / 40; /* suppressed: a sliver */
			total += n;
			if (!bw)
				continue;
			char buf[24];
			wu__put(o, "<rect class=\"finding-%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", severities[s], x,
			    y + 4, bw, rowh - 8, colours[s]);
			if (bw >= 18)
				wu__put(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" style=\"fill:#fff\">%s</text>", x + bw / 2, y + 21,
				    count_text(buf, v));
			wu__put(o, "\n");
			x += bw;
		}
		wu__put(o, "<text x=\"%d\" y=\"%d\">%lld</text>\n", x + 6, y + 21, total);
	}
	for (int s = 0; s < 4; s++)
		wu__put(o, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
		    label + s * 140, h - 22, colours[s], label + s * 140 + 16, h - 12, labels[s]);
	wu__put(o, "</svg><figcaption>What the check found, per recommendation: errors, warnings, information, and rules "
	       "that lacked the records they need.</figcaption></figure>\n");
}

static void write_html(struct wu_out *o, const json_t *doc)
{
	wu__put(o, "%s<h1>Portfolio report</h1>\n<p class=\"meta\">As of %s &middot; profile %s &middot; policy ", html_head,
	    wu__jstr(doc, "as_of"), wu__jstr(doc, "profile"));
	wu__put_markup(o, wu__jstr(doc, "policy"));
	wu__put(o, " &middot; %lld projects", (long long)json_integer_value(json_object_get(json_object_get(doc, "totals"), "projects")));
	if (json_object_get(doc, "projects_left_out"))
		wu__put(o, " (%lld not shared, left out)", (long long)json_integer_value(json_object_get(doc, "projects_left_out")));
	wu__put(o, ". Made by withus from the records each team keeps; the recommendations are those for researchers in "
	       "<i>Sex Work, Health, and Human Rights</i> (2021).</p>\n");
	html_summary(o, doc);
	wu__put(o, "<h2 id=\"swlo-share\">Budget share for sex worker-led organisations</h2>\n");
	svg_shares(o, doc);
	wu__put(o, "<h2 id=\"committed-disbursed\">Committed and disbursed over time</h2>\n");
	svg_series(o, doc);
	wu__put(o, "<h2 id=\"involvement\">Involvement of sex worker-led organisations</h2>\n");
	svg_heatmaps(o, doc);
	wu__put(o, "<h2 id=\"recommendations\">Recommendations</h2>\n");
	svg_recommendations(o, doc);
	svg_findings(o, doc);
	const json_t *totals = json_object_get(doc, "totals");
	wu__put(o, "<h2 id=\"totals\">Totals</h2>\n<table>\n<tr><th class=\"t\">currency</th><th>budget</th><th>to SWLOs</th>"
	       "<th>KT</th><th>KT to SWLOs</th><th>committed to SWLOs</th><th>disbursed</th></tr>\n");
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(totals, "money"), i, m) {
		char a[24], b[24];
		wu__put(o, "<tr><td class=\"t\">%s</td><td>%s</td><td>%s (%s)</td><td>%s</td><td>%s (%s)</td><td>%s</td><td>%s</td></tr>\n",
		    wu__jstr(m, "currency"), wu__jstr(m, "budget"), wu__jstr(m, "swlo"), pct_text(a, json_object_get(m, "swlo_share_pct")), wu__jstr(m, "kt"),
		    wu__jstr(m, "kt_swlo"), pct_text(b, json_object_get(m, "kt_swlo_share_pct")), wu__jstr(m, "committed_swlo"),
		    wu__jstr(m, "disbursed_swlo"));
	}
	const json_t *conv = json_object_get(totals, "converted");
	if (json_is_object(conv)) {
		char a[24];
		wu__put(o, "<tr><td class=\"t\">all, in %s</td><td>%s</td><td>%s (%s)</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
		    wu__jstr(conv, "currency"), wu__jstr(conv, "budget"), wu__jstr(conv, "swlo"), pct_text(a, json_object_get(conv, "swlo_share_pct")),
		    wu__jstr(conv, "kt"), wu__jstr(conv, "kt_swlo"), wu__jstr(conv, "committed_swlo"), wu__jstr(conv, "disbursed_swlo"));
	} else if (json_is_null(conv)) {
		wu__put(o, "<tr><td class=\"t\" colspan=\"7\">Not added up in %s: no exchange rate for", wu__jstr(doc, "currency"));
		json_array_foreach(json_object_get(totals, "missing_rates"), i, m)
			wu__put(o, " %s", json_string_value(m));
		wu__put(o, ".</td></tr>\n");
	}
	wu__put(o, "</table>\n</body>\n</html>\n");
}

int wu_report_write(wu_db *db, FILE *f, const json_t *report, wu_report_format fmt)
{
	wu__err_clear(db);
	struct wu_out o = { .f = f };
	switch (fmt) {
	case WU_REPORT_JSON:
		o.failed = json_dumpf(report, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', f) == EOF;
		break;
	case WU_REPORT_TEXT: write_text(&o, report); break;
	case WU_REPORT_CSV: write_csv(&o, report); break;
	case WU_REPORT_HTML: write_html(&o, report); break;
	default: return wu__err(db, WU_EINVAL, "report format %d is unknown", (int)fmt);
	}
	if (o.failed || ferror(f))
		return wu__err(db, WU_EIO, "cannot write the report");
	return WU_OK;
}
