#!/usr/bin/env bash
# Loopback load benchmark (issue 7): the axum and actix adapters, each on one server with
# the same handler on two routes (/plain without verification, /webhooks/peopleforce
# behind the verifier; see examples/load_target.rs), driven by wrk with the seed's signed
# 1.3 KiB employee_create delivery. Server pinned to one core, wrk to the other; the two
# arms alternate (REPS x DURATION each); medians of requests/s and p99, and the ratio.
#
# Usage: benches/load.sh            (env: REPS=5 DURATION=10s CONNECTIONS=16 ADAPTERS="axum actix")
set -euo pipefail

cd "$(dirname "$0")/.."
REPS=${REPS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
ADAPTERS=${ADAPTERS:-"axum actix"}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
PORT=${PORT:-38917}
SECRET=${WEBHOOK_SECRET:-load-bench-secret}
BODY=tests/vectors/employee_create.json

if ! command -v wrk >/dev/null; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is required" >&2; exit 1; }

cargo build --release --example load_target >&2
BIN=target/release/examples/load_target

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

SIGNATURE=$(python3 -c 'import hmac,hashlib,sys; print("sha256="+hmac.new(sys.argv[1].encode(), open(sys.argv[2],"rb").read(), hashlib.sha256).hexdigest())' "$SECRET" "$BODY")
python3 - "$BODY" "$SIGNATURE" > "$WORK/post.lua" <<'PY'
import sys, json
body = open(sys.argv[1], "rb").read().decode("utf-8")
print('wrk.method = "POST"')
print("wrk.body = " + json.dumps(body))
print('wrk.headers["Content-Type"] = "application/json"')
print('wrk.headers["X-PeopleForce-Signature"] = "%s"' % sys.argv[2])
PY

# CPU time (user + system, clock ticks) the server process has used so far.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

# One wrk run; prints "requests_per_s p99_ms server_cpu_us_per_request" (fails on any
# non-2xx answer). CPU per request does not depend on the share of the core the server
# gets, so it stays meaningful when other work runs on the machine.
run_wrk() {
    local url=$1 out before after
    before=$(server_ticks)
    out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/post.lua" "$url")
    after=$(server_ticks)
    if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $url:" >&2; echo "$out" >&2; exit 1; fi
    python3 - "$out" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
out, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
p99 = float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
requests = int(re.search(r"(\d+) requests in", out).group(1))
print(f"{rps:.0f} {p99:.3f} {ticks / hz / max(requests, 1) * 1e6:.2f}")
PY
}

printf '%-7s %-10s %12s %10s\n' adapter arm "req/s(med)" "p99(med)" > "$WORK/table"
for adapter in $ADAPTERS; do
    : > "$WORK/server.log"
    WEBHOOK_SECRET=$SECRET PORT=$PORT taskset -c "$SERVER_CPU" "$BIN" "$adapter" > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do grep -q listening "$WORK/server.log" && break; sleep 0.1; done
    base=http://127.0.0.1:$PORT
    # Sanity: the verified route refuses an unsigned request and accepts the signed one.
    unsigned=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$BODY" "$base/webhooks/peopleforce")
    signed=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-PeopleForce-Signature: $SIGNATURE" --data-binary @"$BODY" "$base/webhooks/peopleforce")
    [ "$unsigned" = 403 ] && [ "$signed" = 200 ] || { echo "$adapter: sanity check failed ($unsigned, $signed)" >&2; exit 1; }
    # Warm-up, then interleaved repetitions (the order alternates each repetition).
    DURATION=2s run_wrk "$base/plain" > /dev/null
    DURATION=2s run_wrk "$base/webhooks/peopleforce" > /dev/null
    : > "$WORK/$adapter.plain"; : > "$WORK/$adapter.verified"
    for rep in $(seq 1 "$REPS"); do
        if [ $((rep % 2)) = 1 ]; then order="plain verified"; else order="verified plain"; fi
        for arm in $order; do
            if [ "$arm" = plain ]; then path=/plain; else path=/webhooks/peopleforce; fi
            result=$(run_wrk "$base$path")
            echo "$result" >> "$WORK/$adapter.$arm"
            echo "$adapter rep $rep $arm: $result" >&2
        done
    done
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
done

python3 - "$WORK" $ADAPTERS <<'PY'
import statistics, sys
work, adapters = sys.argv[1], sys.argv[2:]
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows], [float(r[2]) for r in rows]
print(f"{'adapter':<8} {'arm':<10} {'req/s (median)':>15} {'p99 ms (median)':>16} {'server CPU µs/req':>18}")
for adapter in adapters:
    plain = load(f"{work}/{adapter}.plain")
    verified = load(f"{work}/{adapter}.verified")
    for name, (rps, p99, cpu) in (("plain", plain), ("verified", verified)):
        print(f"{adapter:<8} {name:<10} {statistics.median(rps):>15.0f} {statistics.median(p99):>16.3f} {statistics.median(cpu):>18.2f}")
    # Ratio of medians, and the median of the per-repetition ratios (adjacent runs).
    ratios = [v / p for v, p in zip(verified[0], plain[0])]
    print(f"{adapter:<8} with/without req/s: {statistics.median(verified[0]) / statistics.median(plain[0]):.3f}"
          f" (median of per-repetition ratios {statistics.median(ratios):.3f});"
          f" CPU-bound capacity ratio (plain / verified CPU per request):"
          f" {statistics.median(plain[2]) / statistics.median(verified[2]):.3f}")
PY
