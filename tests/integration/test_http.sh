#!/usr/bin/env bash
# The HTTP API with real agents and the real curl: every endpoint in
# Consul's shapes (read with python3's json), the passing and tag
# filters, register / pass / deregister of a TTL service seen by lookups
# on another agent and kept across a restart, bad input refused with a
# clear error and counted, blocking queries that return within a second
# of a change and at the end of their wait, the --http flag; then a real
# Prometheus on loopback scraping /metrics every second. (Debian's
# Prometheus is built without Consul discovery, so consul_sd_configs
# cannot be tried here.)
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "curl missing (.ci/deps --test)"; exit 1; }

# start_http NAME [flags]: an agent with --http on a free port, tried on
# another if something took it since free_port saw it free (the agent
# then exits before its socket appears); sets H_<NAME>.
start_http() {
	local name=$1 try h; shift
	for try in 1 2 3 4 5; do
		h=$(free_port)
		if start_agent "$name" "$(free_port)" --http "127.0.0.1:$h" "$@"; then
			printf -v "H_$name" %s "$h"
			return 0
		fi
		grep -q "http 127.0.0.1:$h: address already in use" "$WORK/$name.log" ||
			return 1
		echo "info: $name: http port $h busy, retrying"
	done
	return 1
}
check "a starts with --http" start_http a --no-encrypt
check "b joins with --http" start_http b --no-encrypt --join "127.0.0.1:$PORT_a"
P_a=$PORT_a
A=http://127.0.0.1:$H_a
B=http://127.0.0.1:$H_b
R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }
wait_status 10 alive b a >/dev/null

# code METHOD URL [curl args]: the status code; the body in $WORK/body.
code() {
	local method=$1 url=$2; shift 2
	curl -s -o "$WORK/body" -w '%{http_code}' -X "$method" "$@" "$url"
}
# py 'python code' FILE: the code runs with j = the JSON in FILE.
py() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); $1" "$2"; }
# stat WHO NAME: one counter of `rumor stats`.
stat() { R "$1" stats --json | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

# ---- reads -----------------------------------------------------------------
check "GET /v1/agent/members: 200" [ "$(code GET "$A/v1/agent/members")" = 200 ]
check "members: both, Consul's shape, Serf status 1" py '
assert sorted(m["Name"] for m in j) == ["a", "b"], j
for m in j:
    assert set(m) == {"Name", "Addr", "Port", "Tags", "Status"}, m
    assert m["Addr"] == "127.0.0.1" and m["Status"] == 1, m
    assert m["Tags"]["rumor_status"] == "alive", m' "$WORK/body"
check "GET /v1/agent/self: our name, dc1" sh -c "
	[ \"\$(curl -s '$B/v1/agent/self' | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j[\"Config\"][\"NodeName\"], j[\"Config\"][\"Datacenter\"], j[\"Member\"][\"Name\"])')\" = 'b dc1 b' ]"

# ---- register, pass, deregister over HTTP -----------------------------------
check "PUT register of a TTL service on a: 200" [ "$(code PUT "$A/v1/agent/service/register" \
	--data '{"Name": "web", "ID": "web-1", "Tags": ["v1", "blue"], "Port": 8080,
	         "Meta": {"zone": "a"}, "Check": {"TTL": "30s"}}')" = 200 ]
check "PUT register of a second instance (own address, no check)" [ "$(code PUT \
	"$A/v1/agent/service/register" --data '{"name": "web", "id": "web-2",
	"address": "10.0.0.9", "port": 8081, "tags": ["v2"]}')" = 200 ]
# health_count URL: how many entries an answer holds.
health_count() { curl -s "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
wait_count() { # wait_count WANT URL
	local i
	for i in $(seq 100); do
		[ "$(health_count "$2")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
check "b's health sees both instances" wait_count 2 "$B/v1/health/service/web"
check "a TTL check starts critical: ?passing on b has only web-2" \
	[ "$(curl -s "$B/v1/health/service/web?passing" | python3 -c 'import json,sys; print(",".join(e["Service"]["ID"] for e in json.load(sys.stdin)))')" = web-2 ]
curl -s -D "$WORK/h.hdr" -o "$WORK/h.json" "$B/v1/health/service/web"
check "a health entry is Node, Service, Checks as Consul has them" py '
e = [x for x in j if x["Service"]["ID"] == "web-1"][0]
assert set(e) == {"Node", "Service", "Checks"}, e
n, s, c = e["Node"], e["Service"], e["Checks"]
assert n["Node"] == "a" and n["Address"] == "127.0.0.1" and n["Datacenter"] == "dc1", n
assert {"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta"} <= set(n), n
assert s["ID"] == "web-1" and s["Service"] == "web" and s["Port"] == 8080, s
assert s["Tags"] == ["v1", "blue"] and s["Meta"] == {"zone": "a"} and s["Address"] == "", s
assert {"Weights", "EnableTagOverride"} <= set(s), s
assert [x["CheckID"] for x in c] == ["serfHealth", "service:web-1"], c
assert c[0]["Status"] == "passing" and c[1]["Status"] == "critical", c
assert c[1]["ServiceID"] == "web-1" and c[1]["Type"] == "ttl", c
for x in c:
    assert {"Node", "CheckID", "Name", "Status", "Notes", "Output", "ServiceID",
            "ServiceName", "ServiceTags", "Type"} == set(x), x
w2 = [x for x in j if x["Service"]["ID"] == "web-2"][0]
assert w2["Service"]["Address"] == "10.0.0.9" and w2["Node"]["Address"] == "127.0.0.1"' "$WORK/h.json"
check "health carries X-Consul-Index and Content-Type" sh -c "
	grep -qi '^X-Consul-Index: [1-9]' '$WORK/h.hdr' && grep -qi '^Content-Type: application/json' '$WORK/h.hdr'"
check "PUT check/pass/service:web-1: 200" [ "$(code PUT "$A/v1/agent/check/pass/service:web-1")" = 200 ]
check "after the pass, b's ?passing has both" wait_count 2 "$B/v1/health/service/web?passing"
check "?tag=v1 on b: web-1 only" [ "$(curl -s "$B/v1/health/service/web?tag=v1" | python3 -c 'import json,sys; print(",".join(e["Service"]["ID"] for e in json.load(sys.stdin)))')" = web-1 ]
check "?tag=v1&tag=blue: web-1; ?tag=v1&tag=v2: none" sh -c "
	[ \"\$(curl -s '$B/v1/health/service/web?tag=v1&tag=blue' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 1 ] &&
	[ \"\$(curl -s '$B/v1/health/service/web?tag=v1&tag=v2' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 0 ]"
check "the socket's lookup on b finds the HTTP registration" \
	sh -c "'$RUMOR' lookup web --socket '$WORK/b.sock' | grep -q web-1"
check "a socket registration shows over HTTP" R b register api --port 9000 --tag x
check "GET /v1/catalog/services: names with their tags" sh -c "
	for i in \$(seq 50); do
		curl -s '$A/v1/catalog/services' >'$WORK/cat.json'
		python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j == {\"api\": [\"x\"], \"web\": [\"blue\", \"v1\", \"v2\"]}, j' '$WORK/cat.json' 2>/dev/null && exit 0
		sleep 0.1
	done; cat '$WORK/cat.json'; exit 1"
check "an unknown service is an empty list" [ "$(curl -s "$A/v1/health/service/nothing")" = "[]" ]

# ---- bad input: a clear error, counted ---------------------------------------
bodies0=$(stat a http_bad_bodies)
check "a bad JSON body: 400 with line and column" sh -c "
	[ \"\$(curl -s -o '$WORK/e.json' -w '%{http_code}' -X PUT --data '{\"Name\": ' '$A/v1/agent/service/register')\" = 400 ] &&
	grep -q '\"error\":\"body:1:' '$WORK/e.json'"
check "an unknown field: 400 naming it" sh -c "
	[ \"\$(curl -s -o '$WORK/e.json' -w '%{http_code}' -X PUT --data '{\"Name\": \"w\", \"Tagz\": []}' '$A/v1/agent/service/register')\" = 400 ] &&
	grep -q 'Tagz' '$WORK/e.json'"
check "an invalid service (service_validate): 400" sh -c "
	[ \"\$(curl -s -o '$WORK/e.json' -w '%{http_code}' -X PUT --data '{\"Name\": \"a b\"}' '$A/v1/agent/service/register')\" = 400 ] &&
	grep -q 'the name must be' '$WORK/e.json'"
check "a script check over HTTP: 400" [ "$(code PUT "$A/v1/agent/service/register" \
	--data '{"Name": "w", "Check": {"Args": ["/bin/true"], "Interval": "1s"}}')" = 400 ]
check "bad bodies are counted (http_bad_bodies +4)" [ "$(stat a http_bad_bodies)" = $((bodies0 + 4)) ]
check "an unknown path: 404 with a JSON error" sh -c "
	[ \"\$(curl -s -o '$WORK/e.json' -w '%{http_code}' '$A/v1/nope')\" = 404 ] &&
	python3 -c 'import json,sys; assert \"error\" in json.load(open(sys.argv[1]))' '$WORK/e.json'"
check "a wrong method: 405 with Allow" sh -c "
	curl -s -D - -o /dev/null -X POST '$A/v1/agent/members' | tr -d '\r' >'$WORK/405.hdr';
	grep -q '^HTTP/1.1 405' '$WORK/405.hdr' && grep -qi '^Allow: GET, HEAD' '$WORK/405.hdr'"
head -c 70000 /dev/zero | tr '\0' 'x' >"$WORK/big"
check "a body over 64 KiB: 413" [ "$(code PUT "$A/v1/agent/service/register" --data-binary @"$WORK/big")" = 413 ]
check "a chunked body over 64 KiB: 413" [ "$(code PUT "$A/v1/agent/service/register" \
	-H 'Transfer-Encoding: chunked' --data-binary @"$WORK/big")" = 413 ]
check "headers over 64 KiB: 431 from the server" [ "$(code GET "$A/v1/agent/members" \
	-H "X-Big: $(head -c 70000 /dev/zero | tr '\0' a)")" = 431 ]
check "a bad query parameter: 400" [ "$(code GET "$A/v1/health/service/web?wait=soon&index=1")" = 400 ]
check "an unknown query parameter: 400" [ "$(code GET "$A/v1/health/service/web?filter=x")" = 400 ]
check "a bad service name: 400" [ "$(code GET "$A/v1/health/service/a%20b")" = 400 ]
check "deregister of an unknown id: 404" [ "$(code PUT "$A/v1/agent/service/deregister/nope")" = 404 ]
check "pass of a service without a TTL: 400" [ "$(code PUT "$A/v1/agent/check/pass/web-2")" = 400 ]
counted() {
	R a stats --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
want = {"http_status_400": 8, "http_status_404": 2, "http_status_405": 1,
        "http_status_413": 2, "http_protocol_errors": 1, "http_bad_requests": 13}
bad = {k: s[k] for k in want if s[k] < want[k]}
if bad:
    print("counters too low:", bad)
sys.exit(1 if bad else 0)'
}
check "errors are counted in rumor stats (400 x8, 404 x2, 405, 413 x2, 431)" counted
check "a survives all of it" kill -0 "$PID_a"

# ---- blocking queries ----------------------------------------------------------
# index_of URL: the X-Consul-Index of an answer.
index_of() { curl -s -D - -o /dev/null "$1" | tr -d '\r' | awk 'tolower($1) == "x-consul-index:" { print $2 }'; }
idx=$(index_of "$B/v1/health/service/web")
check "the index stays while the answer does" [ "$(index_of "$B/v1/health/service/web")" = "$idx" ]
# A blocking query on b; a change to another service must not wake it,
# a registration of web on a must, within a second.
python3 - "$B/v1/health/service/web?index=$idx&wait=30s" >"$WORK/block.out" <<'PY' &
import sys, time, urllib.request
t0 = time.time()
r = urllib.request.urlopen(sys.argv[1], timeout=60)
body = r.read()
print(time.time(), r.headers["X-Consul-Index"], len(body))
PY
BLOCK_PID=$!
PIDS+=("$BLOCK_PID")
sleep 1
check "another service's change does not wake it" sh -c "
	'$RUMOR' register other --socket '$WORK/a.sock' && sleep 1 && kill -0 $BLOCK_PID"
t_reg=$(python3 -c 'import time; print(time.time())')
curl -s -X PUT --data '{"Name": "web", "ID": "web-3", "Port": 8082}' "$A/v1/agent/service/register"
wait "$BLOCK_PID"
read -r t_ret new_idx _ <"$WORK/block.out"
took=$(python3 -c "print(f'{$t_ret - $t_reg:.3f}')")
echo "info: the blocking query on b returned ${took}s after the registration on a"
check "it returns within 1 s of a registration on another agent (${took}s), with a new index" \
	python3 -c "import sys; sys.exit(0 if $t_ret - $t_reg < 1.0 and '$new_idx' != '$idx' else 1)"
idx=$(index_of "$A/v1/catalog/services")
t0=$(date +%s.%N)
code GET "$A/v1/catalog/services?index=$idx&wait=2s" >/dev/null
t1=$(date +%s.%N)
took=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
check "one with nothing to wait for times out after its wait (${took}s of 2s + jitter up to 0.125s)" \
	python3 -c "import sys; sys.exit(0 if 2.0 <= $t1 - $t0 < 2.6 else 1)"
check "a stale index returns at once" sh -c "
	t0=\$(date +%s%N); curl -s -o /dev/null '$A/v1/catalog/services?index=1&wait=10s'; t1=\$(date +%s%N);
	[ \$(((t1 - t0) / 1000000)) -lt 1000 ]"

# 130 blocking queries at once: 128 wait, 2 are refused with 429.
idx=$(index_of "$A/v1/catalog/services")
cat >"$WORK/many.py" <<'PY'
import sys, threading, urllib.request, urllib.error
url, codes = sys.argv[1], []
def one():
    try:
        codes.append(urllib.request.urlopen(url, timeout=30).status)
    except urllib.error.HTTPError as e:
        codes.append(e.code)
threads = [threading.Thread(target=one) for _ in range(130)]
for t in threads: t.start()
for t in threads: t.join()
print(codes.count(200), codes.count(429))
PY
check "130 blocking queries: 128 wait for their 3 s, 2 get 429" sh -c "
	[ \"\$(python3 '$WORK/many.py' '$A/v1/catalog/services?index=$idx&wait=3s')\" = '128 2' ]"
check "the refusals are counted" [ "$(stat a http_blocking_refused)" = 2 ]

# ---- persistence: HTTP registrations survive a restart like socket ones ------
check "PUT deregister of web-3: 200" [ "$(code PUT "$A/v1/agent/service/deregister/web-3")" = 200 ]
check "b no longer sees web-3" wait_count 2 "$B/v1/health/service/web"
kill -TERM "$PID_a"; wait "$PID_a"
check "a restarts with its data dir" start_agent a "$P_a" --no-encrypt --http "127.0.0.1:$H_a" \
	--join "127.0.0.1:$PORT_b"
check "a's HTTP registrations came back from its data dir" sh -c "
	R() { '$RUMOR' lookup web --all --json --socket '$WORK/a.sock'; }
	for i in \$(seq 50); do
		[ \"\$(R | python3 -c 'import json,sys; print(sorted(i[\"id\"] for i in json.load(sys.stdin) if i[\"node\"] == \"a\"))')\" = \"['web-1', 'web-2']\" ] && exit 0
		sleep 0.1
	done; exit 1"

# ---- the flag ------------------------------------------------------------------
P_c=$(free_port)
"$RUMOR" agent --name c --bind "127.0.0.1:$P_c" --socket "$WORK/c.sock" --no-encrypt \
	--http "127.0.0.1:$H_a" >"$WORK/c.log" 2>&1
rc=$?
check "an explicit --http that is busy fails with one line (exit $rc)" sh -c "
	[ $rc = 1 ] && [ \$(wc -l <'$WORK/c.log') = 1 ] && grep -q '^rumor: http 127.0.0.1:$H_a: address already in use' '$WORK/c.log'"
# The default 127.0.0.1:8500 busy (held here unless something holds it):
# a warning, and the agent runs without the API.
python3 -c 'import socket,time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", 8500)); s.listen(1)
except OSError:
    pass
time.sleep(30)' &
HOLD_PID=$!
PIDS+=("$HOLD_PID")
sleep 0.3
P_d=$(free_port)
check "with the default port busy, an agent starts anyway" start_agent d "$P_d" --no-encrypt
check "... and warns that the API is off" grep -q 'WARN http 127.0.0.1:8500: address already in use; the HTTP API is off' "$WORK/d.log"
kill "$HOLD_PID"; wait "$HOLD_PID" 2>/dev/null
P_e=$(free_port)
check "--http off starts no server" sh -c "
	'$RUMOR' agent --http nonsense --no-encrypt 2>&1 | grep -q -- '--http: bad address'"
check "an agent with --http off starts" start_agent e "$P_e" --no-encrypt --http off
check "... and logs no HTTP line" sh -c "! grep -q 'http' '$WORK/e.log'"

# ---- Prometheus --------------------------------------------------------------------
if ! command -v prometheus >/dev/null; then
	fail "prometheus missing (.ci/deps --test)"
	finish; exit
fi
scrapes0=$(stat a http_status_200)
PROM_PORT=$(free_port)
cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: rumor
    static_configs:
      - targets: ["127.0.0.1:$H_a"]
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.out" 2>&1 &
PROM_PID=$!
PIDS+=("$PROM_PID")
PROM=http://127.0.0.1:$PROM_PORT
# targets_up: the agent's target is up.
targets_up() {
	curl -s "$PROM/api/v1/targets" | python3 -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
up = {x["labels"]["job"]: x["health"] for x in t}
sys.exit(0 if up.get("rumor") == "up" else 1)'
}
wait_up() {
	local i
	for i in $(seq 600); do
		targets_up 2>/dev/null && return 0
		kill -0 "$PROM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
check "Prometheus' targets API shows the agent up" wait_up
# query PROMQL: its first value.
query() {
	curl -s "$PROM/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")'
}
q='rumor_datagrams_received_total{job="rumor"}'
v1=$(query "$q")
moved() {
	local i v
	for i in $(seq 100); do
		v=$(query "$q")
		[ "$v" != none ] && [ "$v1" != none ] && python3 -c "import sys; sys.exit(0 if $v > $v1 else 1)" && {
			echo "info: $q went from $v1 to $v"; return 0; }
		[ "$v1" = none ] && v1=$v
		sleep 0.2
	done
	return 1
}
check "a PromQL query returns a rumor counter that moved" moved
check "Prometheus read a gauge with a label (rumor_members{status=alive} >= 2)" sh -c "
	[ \"\$(curl -s '$PROM/api/v1/query' --data-urlencode 'query=rumor_members{job=\"rumor\",status=\"alive\"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"data\"][\"result\"][0][\"value\"][1])')\" -ge 2 ]"
scrapes=$(($(stat a http_status_200) - scrapes0))
check "the agent counted Prometheus' scrapes ($scrapes answers with 200 meanwhile)" [ "$scrapes" -ge 3 ]
kill -TERM "$PROM_PID"; wait "$PROM_PID" 2>/dev/null
check "Prometheus stopped" sh -c "! kill -0 $PROM_PID 2>/dev/null"
finish
