# peer.sh - sourced by the sync tests after lib.sh.
#   start_peer MODE [PORT]  starts PouchDB Server (tests/sync/peer.js) on
#                           127.0.0.1 (a free port unless given); sets PEER
#                           (its URL), PEER_PORT and PEER_PID
#   stop_peer               kills it (kill -9: a server that dies)
#   start_proxy             starts the fault-injecting proxy (proxy.js) in
#                           front of it; sets PROXY (its URL) and PROXY_PORT
#   proxy_rules JSON        replaces the proxy's fault rules
#   proxy_log               prints the requests the proxy saw, one JSON per line
# Everything started is stopped when the test ends. Without node or the npm
# packages (npm ci), the test is skipped, saying why.
PEER_DIR="${TEST_SRCDIR:-$(dirname "$0")/..}/sync"
PEER_PID= PROXY_PID=
bail() { echo "Bail out! $1: $(cat "$2" 2>/dev/null)"; exit 1; }
# skip_all REASON: skips the test, or, once some of it has run (a test whose
# first part needs no server), skips the rest as one counted skip.
skip_all() {
	if [ "${n:-0}" -gt 0 ]; then
		n=$((n + 1))
		echo "ok $n # SKIP the rest: $1"
		done_testing
		exit $?
	fi
	echo "1..0 # SKIP $1"
	exit 0
}
trap 'kill -9 $PEER_PID $PROXY_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

# wait_ready NAME PID OUTFILE: until the process prints "ready PORT"; prints PORT
wait_ready() {
	i=0
	while ! grep -q '^ready ' "$3" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	sed -n 's/^ready //p' "$3"
}

start_peer() {
	command -v node >/dev/null 2>&1 || skip_all "no node: the sync tests need PouchDB Server (npm ci)"
	[ -d "$PEER_DIR/../../node_modules/express-pouchdb" ] || skip_all "no node_modules/express-pouchdb: run npm ci"
	node "$PEER_DIR/peer.js" "${2:-0}" "${1:-minimum}" >"$TMP/peer.out" 2>"$TMP/peer.out.err" &
	PEER_PID=$!
	PEER_PORT=$(wait_ready peer $PEER_PID "$TMP/peer.out") || bail "the test peer did not start" "$TMP/peer.out.err"
	PEER="http://127.0.0.1:$PEER_PORT"
}

stop_peer() {
	kill -9 $PEER_PID 2>/dev/null
	wait $PEER_PID 2>/dev/null
	PEER_PID=
}

# start_proxy [--tls CERT KEY]: the fault-injecting proxy in front of the
# peer; with --tls it speaks HTTPS with that certificate, and the helpers
# below trust it.
start_proxy() {
	node "$PEER_DIR/proxy.js" "$PEER_PORT" "$@" >"$TMP/proxy.out" 2>"$TMP/proxy.out.err" &
	PROXY_PID=$!
	PROXY_PORT=$(wait_ready proxy $PROXY_PID "$TMP/proxy.out") || bail "the test proxy did not start" "$TMP/proxy.out.err"
	PROXY="http://127.0.0.1:$PROXY_PORT" PROXY_CA=
	[ "${1:-}" = --tls ] && PROXY="https://127.0.0.1:$PROXY_PORT" PROXY_CA="--cacert $2"
}

# proxy_rules JSON: replaces the rules. Clearing them ('[]') also waits until
# the server answers through the proxy again, so that the next step does not
# meet the tail of the fault just lifted (a server still busy after it).
proxy_rules() {
	curl -sf $PROXY_CA -X PUT --data-binary "$1" "$PROXY/__proxy/rules" >/dev/null
	[ "$1" = '[]' ] || return 0
	i=0
	until curl -sf $PROXY_CA -o /dev/null "$PROXY/__proxy/health" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
}
proxy_log() { curl -sf $PROXY_CA "$PROXY/__proxy/log" | jq -c '.[]'; }
proxy_clear() { curl -sf $PROXY_CA -X DELETE "$PROXY/__proxy/log" >/dev/null; }
