# peer.sh - sourced by the sync tests after lib.sh: start_peer MODE starts
# PouchDB Server (tests/sync/peer.js) on 127.0.0.1 on a free port, sets
# PEER (its URL), and stops it when the test ends. Without node or the
# npm packages (npm ci), the test is skipped, saying why.
PEER_DIR="${TEST_SRCDIR:-$(dirname "$0")/..}/sync"
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
start_peer() {
	command -v node >/dev/null 2>&1 || skip_all "no node: the sync tests need PouchDB Server (npm ci)"
	[ -d "$PEER_DIR/../../node_modules/express-pouchdb" ] || skip_all "no node_modules/express-pouchdb: run npm ci"
	node "$PEER_DIR/peer.js" 0 "${1:-minimum}" >"$TMP/peer.out" 2>"$TMP/peer.err" &
	PEER_PID=$!
	trap 'kill $PEER_PID 2>/dev/null; wait $PEER_PID 2>/dev/null; rm -rf "$TMP"' EXIT
	i=0
	while ! grep -q '^ready ' "$TMP/peer.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $PEER_PID 2>/dev/null; then
			echo "Bail out! the test peer did not start: $(cat "$TMP/peer.err")"
			exit 1
		fi
		sleep 0.1
	done
	PEER_PORT=$(sed -n 's/^ready //p' "$TMP/peer.out")
	PEER="http://127.0.0.1:$PEER_PORT"
}
