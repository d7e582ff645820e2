#!/usr/bin/env bash
# Adapter for the shared membership benchmark harness
# (../shared/bench/ADAPTER.md): runs rumor agents with memberlist's LAN
# timings, the same as Serf's defaults, so the two compare like for like.
#   info [N] | setup DIR | start AGENTDIR NAME IP PORT SEED|- |
#   leave AGENTDIR NAME IP PORT | translate
# Environment: RUMOR_BIN (default: build/rumor of this repository),
#              BENCH_ENCRYPT (1 = encrypted, the default; 0 = plaintext).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUMOR=${RUMOR_BIN:-$here/../../build/rumor}
cmd=${1:?usage: rumor.sh info|setup|start|leave|translate ...}
shift

case "$cmd" in
info)
	n=${1:-0}
	enc=${BENCH_ENCRYPT:-1}
	read -r smin smax pp < <(awk -v n="$n" 'BEGIN{
		s = (n > 1) ? log(n)/log(10) : 1; if (s < 1) s = 1; m = 1*s;
		p = 30; if (n > 32) { x = log(n)/log(2) - 5; c = int(x); if (c < x) c++; p = 30*(c+1) }
		printf "%.2f %.2f %d\n", m, 6*m, p }')
	ver=$("$RUMOR" version | awk '{print $2}')
	cat <<JSON
{"system": "rumor", "version": "$ver ($(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown))",
 "params": {
  "profile": "lan",
  "encryption": $([ "$enc" = 1 ] && echo '"XChaCha20-Poly1305 (32-byte key, key id in header)"' || echo '"off"'),
  "probe_interval_ms": 1000, "probe_timeout_ms": 500, "indirect_checks": 3,
  "suspicion_mult": 1, "suspicion_max_timeout_mult": 6, "awareness_max": 8,
  "final_check": true, "probe_ring": true,
  "gossip_interval_ms": 200, "gossip_nodes": 3, "gossip_to_dead_s": 30,
  "retransmit_mult": 4, "pushpull_interval_s": 30, "pushpull_interval_effective_s": $pp,
  "reconnect_interval_s": 10, "reconnect_timeout_h": 24, "tombstone_timeout_h": 24,
  "leave_timeout_s": 2, "datagram_max_bytes": 1400,
  "suspicion_timeout_min_s": $smin, "suspicion_timeout_max_s": $smax,
  "observation": "agent log lines (member NAME STATUS ...) on stderr, one per change, time-stamped by the harness on receipt"
 },
 "notes": ["every observer logs every status change it makes, suspect included (Serf logs suspect only at the prober)"]}
JSON
	;;
setup)
	dir=${1:?clusterdir}
	if [ "${BENCH_ENCRYPT:-1}" = 1 ]; then
		"$RUMOR" keygen >"$dir/rumor.key"
		chmod 644 "$dir/rumor.key"
	fi
	;;
start)
	adir=${1:?agentdir} name=${2:?name} ip=${3:?ip} port=${4:?port}
	seed=${5:?seed or -}
	cdir=$(dirname "$adir")
	args=(agent --name "$name" --bind "$ip:$port" --socket "$adir/rumor.sock"
		--data-dir "$adir/data" --profile lan)
	if [ -s "$cdir/rumor.key" ]; then
		args+=(--key-file "$cdir/rumor.key")
	else
		args+=(--no-encrypt)
	fi
	[ "$seed" = "-" ] || args+=(--join "$seed")
	cd "$adir"
	exec "$RUMOR" "${args[@]}"
	;;
leave)
	adir=${1:?agentdir}
	exec "$RUMOR" leave --socket "$adir/rumor.sock"
	;;
translate)
	# 2026-11-25T04:10:00.123Z INFO member n001 alive 127.0.0.11:7946 incarnation=0
	exec sed -u -n -E \
		's/^([0-9]+) ([^ ]+) [^ ]+ INFO member ([^ ]+) (alive|suspect|failed|left) .*/\1 \2 \3 \4/p'
	;;
*)
	echo "rumor.sh: unknown subcommand '$cmd'" >&2
	exit 2
	;;
esac
