#!/usr/bin/env bash
# Loopback load benchmark: the axum and actix adapters, each on one server with
# four routes (see examples/load_target.rs): /plain (the handler, no verification),
# /webhooks/peopleforce (the same handler behind the middleware), /in-handler (no
# middleware, the handler runs the core check itself: the least any verifying server
# does), /minimal (the handler behind the least a verifying middleware does), and
# /dedup-first and /dedup-copy (the middleware, then in-memory deduplication: every
# request a first delivery, or every request after the first a duplicate), driven
# by wrk with the seed's signed 1.3 KiB employee_create delivery. Server pinned to one
# core, wrk to the other; the arms rotate (REPS x DURATION each); medians of requests/s,
# p99 and server CPU per request, and the ratios against /plain.
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
    python3 benches/wrk_summary.py "$out" "$((after - before))" "$(getconf CLK_TCK)"
}

ARMS=(plain in-handler verified minimal dedup-first dedup-copy)
arm_path() {
    case $1 in
        plain) echo /plain ;;
        in-handler) echo /in-handler ;;
        verified) echo /webhooks/peopleforce ;;
        minimal) echo /minimal ;;
        dedup-first) echo /dedup-first ;;
        dedup-copy) echo /dedup-copy ;;
    esac
}

for adapter in $ADAPTERS; do
    : > "$WORK/server.log"
    WEBHOOK_SECRET=$SECRET PORT=$PORT taskset -c "$SERVER_CPU" "$BIN" "$adapter" > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do grep -q listening "$WORK/server.log" && break; sleep 0.1; done
    base=http://127.0.0.1:$PORT
    # Sanity: the checking routes refuse an unsigned request and accept the signed one.
    for path in /webhooks/peopleforce /in-handler /minimal /dedup-first /dedup-copy; do
        unsigned=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$BODY" "$base$path")
        signed=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-PeopleForce-Signature: $SIGNATURE" --data-binary @"$BODY" "$base$path")
        [ "$unsigned" = 403 ] && [ "$signed" = 200 ] || { echo "$adapter $path: sanity check failed ($unsigned, $signed)" >&2; exit 1; }
    done
    # Warm-up, then interleaved repetitions (the order rotates each repetition).
    for arm in "${ARMS[@]}"; do DURATION=2s run_wrk "$base$(arm_path "$arm")" > /dev/null; done
    for arm in "${ARMS[@]}"; do : > "$WORK/$adapter.$arm"; done
    for rep in $(seq 1 "$REPS"); do
        for k in "${!ARMS[@]}"; do
            arm=${ARMS[$(((rep + k) % ${#ARMS[@]}))]}
            result=$(run_wrk "$base$(arm_path "$arm")")
            echo "$result" >> "$WORK/$adapter.$arm"
            echo "$adapter rep $rep $arm: $result" >&2
        done
    done
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
done

python3 - "$WORK" $ADAPTERS <<'PY'
import statistics, sys
work, adapters = sys.argv[1], sys.argv[2:]
median = statistics.median
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows], [float(r[2]) for r in rows]
print(f"{'adapter':<8} {'arm':<11} {'req/s (median)':>15} {'p99 ms (median)':>16} {'server CPU µs/req':>18}")
for adapter in adapters:
    names = ("plain", "in-handler", "verified", "minimal", "dedup-first", "dedup-copy")
    arms = {arm: load(f"{work}/{adapter}.{arm}") for arm in names}
    for name, (rps, p99, cpu) in arms.items():
        print(f"{adapter:<8} {name:<11} {median(rps):>15.0f} {median(p99):>16.3f} {median(cpu):>18.2f}")
    plain = arms["plain"]
    for name in ("verified", "minimal", "in-handler"):
        rps, _, cpu = arms[name]
        # Ratio of medians; the median of the per-repetition ratios (runs of one rotation);
        # and the ratio of server CPU per request (capacity when the server is CPU-bound).
        ratios = [a / p for a, p in zip(rps, plain[0])]
        print(f"{adapter:<8} {name}/plain req/s: {median(rps) / median(plain[0]):.3f}"
              f" (median of per-repetition ratios {median(ratios):.3f});"
              f" CPU per request plain/{name}: {median(plain[2]) / median(cpu):.3f}")
    verified = arms["verified"][2]
    for name in ("dedup-first", "dedup-copy"):
        cpu = arms[name][2]
        # What deduplication adds to a verified request, as a share of the verified
        # server's CPU per request; and the median over repetitions of the same share.
        shares = [(d - v) / v for d, v in zip(cpu, verified)]
        print(f"{adapter:<8} {name} adds {median(cpu) - median(verified):+.2f} µs/req to verified:"
              f" {(median(cpu) - median(verified)) / median(verified):+.3f} of its CPU per request"
              f" (median of per-repetition shares {median(shares):+.3f})")
PY
