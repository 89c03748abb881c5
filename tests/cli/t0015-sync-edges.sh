#!/bin/sh
# The edges of SYNC.md's compliance checklist (Appendix A) that need a
# server speaking TLS: certificate checks and --cacert (36), no redirects
# followed (37), a stalled answer dropped and retried (43), the per-document
# fallback and documents that are not withus records (45), and an edit made
# while a sync runs (46). The fault-injecting proxy serves HTTPS with a
# certificate made here for 127.0.0.1.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
command -v openssl >/dev/null 2>&1 || skip_all "no openssl to make a test certificate"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
	-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || skip_all "openssl cannot make a certificate"
start_peer minimum
start_proxy --tls "$TMP/cert.pem" "$TMP/key.pem"
export WITHUS_RETRY_BASE_MS=20
A="$TMP/a.db" B="$TMP/b.db"
a() { "$WITHUS" --db "$A" "$@"; }
b() { "$WITHUS" --db "$B" "$@"; }
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
requests() { proxy_log | jq -s -r "map(select($1)) | length"; }

a add org --name "Amara Collective" --kind sex-worker-led --country KE --visibility public >/dev/null
a add project --title "Shared Study" --lead-org "Amara Collective" --visibility shared >/dev/null
for i in 1 2 3 4 5; do
	a add budget --project "Shared Study" --recipient "Amara Collective" --category kt --amount "10$i" --currency GBP \
		--value-date 2025-01-01 >/dev/null
done

# ---- 36: TLS ----------------------------------------------------------------------------------
a remote add plain "$PROXY/hub" >/dev/null
proxy_clear
expect_error 1 "certificate" "a server whose certificate nobody vouches for is refused" a sync plain --create
check "... before any request is sent" is "$(requests '.method')" 0
check "... the handshake was refused" test "$(requests '.fault == "tls handshake refused"')" -ge 1
check "... and nothing changed here" is "$(sqlite3 "$A" 'SELECT count(*) FROM checkpoint')" 0
a remote add trusted "$PROXY/hub" --cacert "$TMP/cert.pem" >/dev/null
expect_rc 0 "with --cacert the certificate is trusted" a sync trusted --create
check "... and the records go" grep -q '^7 sent' "$TMP/out"
proxy_clear
expect_rc 0 "--insecure-skip-tls-verify syncs without checking" a sync plain --insecure-skip-tls-verify
check "... and says so loudly" err_has "WARNING: TLS verification is OFF"

# ---- 37: redirects are not followed ----------------------------------------------------------
a remote add moved "$PROXY/hub" --cacert "$TMP/cert.pem" --user rita >/dev/null
proxy_rules "[{\"status\":302,\"headers\":{\"Location\":\"$PROXY/elsewhere\"}}]"
proxy_clear
expect_error 1 "HTTP 302" "a redirect stops the sync" env WITHUS_PASSWORD=rita-pw "$WITHUS" --db "$A" sync moved
check "... it is not followed: one request, none to the new place" sh -c "[ \$(curl -sf --cacert '$TMP/cert.pem' '$PROXY/__proxy/log' | jq length) = 1 ] &&
	! curl -sf --cacert '$TMP/cert.pem' '$PROXY/__proxy/log' | grep -q elsewhere"
proxy_rules '[]'

# ---- 43: a stalled answer ------------------------------------------------------------------------
b remote add hub "$PROXY/hub" --cacert "$TMP/cert.pem" >/dev/null
# Under valgrind (scripts/valgrind-check) every step is slower: the stall
# and the bound it must beat grow by TEST_TIME_FACTOR.
F=${TEST_TIME_FACTOR:-1}
proxy_rules "[{\"method\":\"GET\",\"path\":\"/_changes\",\"stall\":$((8000 * F))}]"
proxy_clear
t0=$(date +%s)
expect_rc 0 "a _changes answer that stalls mid-body" env WITHUS_STALL_SECONDS=1 "$WITHUS" --db "$B" sync hub
t1=$(date +%s)
check "... is dropped after the stall window and read again" sh -c "[ \$(curl -sf --cacert '$TMP/cert.pem' '$PROXY/__proxy/log' | jq '[.[] | select(.path != null and (.path | contains(\"_changes\")))] | length') -ge 2 ]"
check "... long before the server would have finished it ($((8 * F)) s)" test $((t1 - t0)) -lt $((7 * F))
check "... and every record arrives once" grep -q '^0 sent, 7 received' "$TMP/out"
proxy_rules '[]'

# ---- 45: the per-document fallback; documents that are not withus records --------------------
a add budget --project "Shared Study" --recipient "Amara Collective" --category overhead --amount 77 --currency GBP \
	--value-date 2025-01-01 >/dev/null
a sync trusted >/dev/null 2>&1
for id in 'odd/id+with?marks' 'caf%C3%A9%3Fx' 'budget:not-a-uuid'; do
	curl -sf -X PUT "$PEER/hub/$(printf '%s' "$id" | jq -sRr @uri)" -H 'Content-Type: application/json' -d '{"type":"budget"}' >/dev/null
done
proxy_rules '[{"method":"POST","path":"/_bulk_get","times":-1,"status":404}]'
proxy_clear
expect_rc 0 "with no _bulk_get, documents are fetched one by one" b sync hub
check "... the new record arrives" grep -q '^0 sent, 1 received, 0 rejected' "$TMP/out"
check "... through GET with open_revs, its id escaped" sh -c "curl -sf --cacert '$TMP/cert.pem' '$PROXY/__proxy/log' | jq -r '.[].path // empty' | grep -q '^/hub/budget%3A[0-9a-f-]*?revs=true&latest=true&open_revs='"
check "... the three foreign documents are left alone, and said so" err_has "3 documents on the server are not withus records"
check "... and no request names them" sh -c "! curl -sf --cacert '$TMP/cert.pem' '$PROXY/__proxy/log' | grep -q -e odd -e 'caf%' -e not-a-uuid" # (not 'caf' alone: it is hex, and may be in a random id)
proxy_rules '[]'
check "A, B and the server agree" sh -c "[ \$('$WITHUS' --db '$A' list budget --json | jq length) = \$('$WITHUS' --db '$B' list budget --json | jq length) ]"

# ---- 46: an edit made while a sync runs ---------------------------------------------------------
X=$(a list budget --json | jq -r '.[0].id')
a add budget --project "Shared Study" --recipient "Amara Collective" --category kt --amount 5 --currency GBP \
	--value-date 2025-01-01 >/dev/null
proxy_rules '[{"method":"POST","path":"/_bulk_docs","delay":2500}]'
a sync trusted >"$TMP/bg.out" 2>"$TMP/bg.err" &
SYNC_PID=$!
i=0
until [ "$(requests '.path != null and (.path | contains("_bulk_docs"))')" -ge 1 ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_rc 0 "a record edited while the upload is in flight" a edit "$X" --amount 999
wait $SYNC_PID
check "... the running sync finishes" is "$?" 0
proxy_rules '[]'
expect_rc 0 "the next sync" a sync trusted
check "... sends the edit" grep -q '^1 sent' "$TMP/out"
check "... and the server has it" is "$(curl -sf "$PEER/hub/budget:$X" | jq -r .amount)" 999.00

done_testing
