#!/usr/bin/env bash
# The C client library as the README shows it: rumor-example registers a
# TTL service through librumor and picks it back; another agent sees it.
. "$(dirname "$0")/lib.sh"

EXAMPLE=${RUMOR_EXAMPLE:-$(dirname "$RUMOR")/rumor-example}
[ -x "$EXAMPLE" ] || { echo "no rumor-example at $EXAMPLE" >&2; exit 1; }
P_a=$(free_port); P_b=$(free_port)
check "a starts" start_agent a "$P_a" --no-encrypt
check "b joins" start_agent b "$P_b" --no-encrypt --join "127.0.0.1:$PORT_a"
out=$("$EXAMPLE" "$WORK/a.sock")
echo "  $out"
check "the example registers and picks its own instance" \
	[ "$out" = "web is at 127.0.0.1:8080 (node a)" ]
seen() {
	"$RUMOR" lookup web --json --socket "$WORK/b.sock" |
		grep -q '"node":"a","id":"web"'
}
ok=1
for _ in $(seq 50); do seen && { ok=0; break; }; sleep 0.1; done
check "another agent sees the registration" [ $ok -eq 0 ]
check "the example fails cleanly without an agent" \
	sh -c "! '$EXAMPLE' '$WORK/none.sock' 2>/dev/null"

finish
