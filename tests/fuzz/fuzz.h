/*
 * fuzz.h - shared by the libFuzzer targets (tests/fuzz/README.md). Each
 * target keeps one in-memory database for the whole run and undoes every
 * input's writes, so that inputs stay independent.
 */
#ifndef WU_FUZZ_H
#define WU_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "withus.h"

/* An in-memory database, opened once, with a few records inputs can refer to. */
static wu_db *fuzz_db(void)
{
	static wu_db *db; /* libFuzzer's process lives for the run: one handle for all inputs */
	if (db)
		return db;
	if (wu_db_open(&db, ":memory:", NULL) != WU_OK)
		abort();
	static const char seed[] =
		"{\"type\":\"org\",\"id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"Amara\",\"kind\":\"sex-worker-led\","
		"\"country\":\"KE\",\"swl_self_declared\":true,\"visibility\":\"public\"}\n"
		"{\"type\":\"org\",\"id\":\"22222222-2222-4222-8222-222222222222\",\"name\":\"Uni\",\"kind\":\"academic\","
		"\"country\":\"GB\",\"visibility\":\"public\"}\n"
		"{\"type\":\"project\",\"id\":\"33333333-3333-4333-8333-333333333333\",\"title\":\"Study\","
		"\"lead_org\":\"22222222-2222-4222-8222-222222222222\",\"visibility\":\"shared\"}\n"
		"{\"type\":\"budget\",\"id\":\"44444444-4444-4444-8444-444444444444\",\"project\":\"33333333-3333-4333-8333-333333333333\","
		"\"recipient\":\"11111111-1111-4111-8111-111111111111\",\"category\":\"kt\",\"amount\":\"10.00\",\"currency\":\"GBP\","
		"\"value_date\":\"2025-01-01\"}\n";
	FILE *in = fmemopen((void *)seed, sizeof seed - 1, "r");
	wu_import_opts o = { .format = "jsonl" };
	if (!in || wu_import(NULL, db, in, &o) != WU_OK)
		abort();
	fclose(in);
	return db;
}

#endif
