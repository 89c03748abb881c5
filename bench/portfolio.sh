# bench/portfolio.sh - sourced by bench/check and bench/report: writes a
# synthetic portfolio straight into a withus database with SQL.
# Needs WITHUS (the binary) and sqlite3.

# portfolio DB N: per project 1 site, 3 partnerships, 8 involvement, 1 body,
# 4 roles, 32 budget lines, 40 transactions, 2 pay rates, 4 outputs, 4 contributions,
# 2 attestations (101 records + the project itself); one organisation per 5 projects, one in
# five of them sex worker-led.
portfolio() {
	local db=$1 n=$2
	local p=$(( n / 100 > 0 ? n / 100 : 1 ))
	local o=$(( p / 5 > 10 ? p / 5 : 10 ))
	rm -f "$db"*
	"$WITHUS" --db "$db" init >/dev/null
	# Written without a journal (a throwaway file): in WAL mode every page
	# would be written twice, which at 10M records costs half an hour here.
	sqlite3 "$db" "PRAGMA journal_mode=DELETE" >/dev/null
	sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO org (id, created, updated, name, kind, represents, swl_self_declared, country, visibility)
SELECT printf('00000001-0000-4000-8000-%012d', value), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z',
       'Org ' || value, CASE WHEN value % 5 = 0 THEN 'sex-worker-led' WHEN value % 5 = 1 THEN 'community-led' ELSE 'academic' END,
       CASE WHEN value % 5 < 2 THEN '["sex-workers","migrants"]' END, CASE WHEN value % 5 = 0 THEN 1 END, 'GB', 'private'
FROM generate_series(1, $o);
INSERT INTO project (id, created, updated, title, lead_org, planned_start, planned_end, actual_start, populations,
                     decrim_stance, dp_plan, le_request_policy, cert_confidentiality, police_in_recruitment, data_shared_with_police, visibility)
SELECT printf('00000002-0000-4000-8000-%012d', value), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'Project ' || value,
       printf('00000001-0000-4000-8000-%012d', 1 + value % $o), '2024-01-01', '2025-12-31', '2024-01-15',
       '["sex-workers","migrants"]', CASE value % 3 WHEN 0 THEN 'public-support' WHEN 1 THEN 'support' ELSE 'none' END,
       1, value % 2, value % 3 = 0, 0, 0, 'private'
FROM generate_series(1, $p);
CREATE TEMP TABLE k AS SELECT value AS i, printf('00000002-0000-4000-8000-%012d', value) AS pid,
       printf('00000001-0000-4000-8000-%012d', 1 + (value * 5) % $o) AS swlo,
       printf('00000001-0000-4000-8000-%012d', 1 + (value * 5 + 2) % $o) AS uni FROM generate_series(1, $p);
INSERT INTO site SELECT printf('00000003-0000-4000-8000-%012d', i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       'KE', NULL, CASE i % 4 WHEN 0 THEN 'decriminalisation' WHEN 1 THEN 'unknown' ELSE 'full-criminalisation' END, 'inherit', NULL FROM k;
INSERT INTO partnership SELECT printf('00000004-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       printf('00000001-0000-4000-8000-%012d', 1 + (i * 5 + j.value) % $o), '["implementing"]',
       CASE j.value WHEN 0 THEN '["co-lead","kt-partner"]' ELSE '["advisory"]' END, '2023-06-01',
       CASE WHEN i % 2 = 0 THEN '2023-12-01' END, '["roles","budget"]', i % 2, 0, i % 3, 'inherit', NULL
FROM k, generate_series(0, 2) AS j;
INSERT INTO involvement SELECT printf('00000005-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       swlo, json_extract('["identifying","commissioning","design","undertaking","analysis","dissemination","evaluation","governance"]', '\$[' || j.value || ']'),
       json_extract('["none","inform","consult","involve","collaborate","lead"]', '\$[' || ((i + j.value) % 6) || ']'),
       '2024-02-01', NULL, 'org', NULL, CASE WHEN (i + j.value) % 3 = 0 THEN 'research-team' ELSE 'jointly' END, 'inherit', NULL
FROM k, generate_series(0, 7) AS j;
INSERT INTO body SELECT printf('00000006-0000-4000-8000-%012d', i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       'Advisory board', 'advisory', 10, i % 8, NULL, 'inherit', NULL FROM k;
INSERT INTO role SELECT printf('00000007-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       CASE j.value WHEN 0 THEN 'co-lead' WHEN 1 THEN 'co-investigator' ELSE 'peer-researcher' END,
       CASE WHEN j.value < 2 THEN uni ELSE swlo END, CASE WHEN (i + j.value) % 4 = 0 THEN 'open-call' ELSE 'swlo' END,
       1, NULL, NULL, NULL, 'inherit', NULL FROM k, generate_series(0, 3) AS j;
INSERT INTO budget SELECT printf('00000008-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       CASE WHEN j.value % 3 = 0 THEN swlo ELSE uni END,
       json_extract('["kt","community-researcher-pay","capacity-building","participant-compensation","overhead","other"]', '\$[' || (j.value % 6) || ']'),
       100000 + (i * 37 + j.value * 101) % 900000, 'GBP', '2024-01-01', 'committed', 'original', '2024-01-01', '2024-12-31',
       (i + j.value) % 50 = 0, NULL, 'inherit', NULL FROM k, generate_series(0, 31) AS j;
INSERT INTO "transaction" SELECT printf('00000009-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       NULL, 'disbursement', uni, CASE WHEN j.value % 2 = 0 THEN swlo ELSE uni END, 10000 + (i + j.value) % 5000, 'GBP',
       date('2024-03-01', '+' || (j.value * 7 + i % 40) || ' days'), NULL, NULL, date('2024-03-01', '+' || (j.value * 7) || ' days'),
       'inherit', NULL FROM k, generate_series(0, 39) AS j;
INSERT INTO payrate SELECT printf('0000000a-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       CASE j.value WHEN 0 THEN 'community' ELSE 'academic' END, CASE j.value WHEN 0 THEN 'peer-researcher' ELSE 'research-assistant' END,
       CASE j.value WHEN 0 THEN swlo ELSE uni END, 'day', CASE j.value WHEN 0 THEN 15000 + (i % 8) * 1000 ELSE 20000 END, 'GBP',
       NULL, 'inherit', NULL FROM k, generate_series(0, 1) AS j;
INSERT INTO output SELECT printf('0000000b-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', pid,
       CASE j.value WHEN 0 THEN 'paper' WHEN 1 THEN 'community-brief' ELSE 'report' END, 'Output ' || j.value, j.value = 0,
       '2025-03-01', date('2025-03-01', '+' || (i % 30) || ' days'), '2025-06-01', CASE WHEN i % 2 = 0 THEN '2025-07-01' END,
       (i + j.value) % 5 > 0, 'supports-decriminalisation', NULL, NULL, NULL, NULL, NULL, 'inherit', NULL
FROM k, generate_series(0, 3) AS j;
INSERT INTO contribution SELECT printf('0000000c-%04x-4000-8000-%012d', j.value, i), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z',
       printf('0000000b-%04x-4000-8000-%012d', j.value, i), CASE WHEN j.value % 2 = 0 THEN swlo ELSE uni END,
       'investigation', 'equal', 0, 'inherit', NULL FROM k, generate_series(0, 3) AS j;
INSERT INTO attestation SELECT printf('0000000d-%04x-4000-8000-%012d', j.value, i), '2025-02-01T00:00:00Z', '2025-02-01T00:00:00Z',
       printf('00000005-%04x-4000-8000-%012d', j.value, i), swlo, CASE j.value WHEN 1 THEN 'disputed' ELSE 'confirmed' END,
       NULL, pid, '00000000000000000000000000000000', 'inherit' FROM k, generate_series(0, 1) AS j;
COMMIT;
SELECT 1 WHERE 0;
SQL
}

