#!/usr/bin/env bash
# The proxy against nginx's proxy_pass, side by side in one run, in front of the same
# upstream: the `/plain` route of examples/load_target.rs (axum, one worker thread: reads
# the body, answers 200). Three arms, driven by wrk with the seed's signed 1.3 KiB
# employee_create delivery: `direct` (wrk -> upstream), `nginx` (wrk -> nginx ->
# upstream, Debian's nginx, installed here if missing, one worker, keep-alive to the
# upstream) and `hookguard` (wrk -> `hookguard proxy` -> upstream, verifying each
# delivery). The upstream and the proxy under test share one core, wrk has the other; the
# arms rotate, each repetition running every arm twice: under load (CONNECTIONS, for
# requests/s and the proxy's CPU per request; nginx: master and worker) and on one
# connection (for latency: a saturated run's p99 is queueing, not the proxy). Prints the
# medians, the CPU ratio hookguard/nginx and the p99 each proxy adds over `direct` on one
# connection.
#
# Usage: benches/proxy_nginx.sh      (env: REPS=5 DURATION=10s CONNECTIONS=16)
set -euo pipefail

cd "$(dirname "$0")/.."
REPS=${REPS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
UPSTREAM_PORT=${UPSTREAM_PORT:-18921}
NGINX_PORT=${NGINX_PORT:-18922}
PROXY_PORT=${PROXY_PORT:-18923}
SECRET=${WEBHOOK_SECRET:-proxy-bench-secret}
BODY=tests/vectors/employee_create.json

for tool in wrk nginx; do
    if ! command -v "$tool" >/dev/null; then
        apt-get install -y "$tool" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$tool" >/dev/null; }
    fi
done
command -v taskset >/dev/null || { echo "taskset (util-linux) is required" >&2; exit 1; }

cargo build --release -p hookguard-cli >&2
cargo build --release --example load_target >&2
UPSTREAM_BIN=target/release/examples/load_target
HOOKGUARD=target/release/hookguard

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2; exit 1
}

SIGNATURE=$(python3 -c 'import hmac,hashlib,sys; print("sha256="+hmac.new(sys.argv[1].encode(), open(sys.argv[2],"rb").read(), hashlib.sha256).hexdigest())' "$SECRET" "$BODY")
python3 - "$BODY" "$SIGNATURE" > "$WORK/post.lua" <<'PY'
import sys, json
body = open(sys.argv[1], "rb").read().decode("utf-8")
print('wrk.method = "POST"')
print("wrk.body = " + json.dumps(body))
print('wrk.headers["Content-Type"] = "application/json"')
print('wrk.headers["X-PeopleForce-Signature"] = "%s"' % sys.argv[2])
PY

# The upstream, shared by the three arms.
WEBHOOK_SECRET=$SECRET PORT=$UPSTREAM_PORT taskset -c "$SERVER_CPU" "$UPSTREAM_BIN" axum > "$WORK/upstream.log" 2>&1 &
PIDS+=($!)
wait_port "$UPSTREAM_PORT"

# nginx: one worker, no access log, keep-alive connections to the upstream.
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 32; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /webhooks/peopleforce {
            proxy_pass http://app/plain;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx" -c "$WORK/nginx.conf" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_port "$NGINX_PORT"

# One worker thread, as nginx has one worker process.
WEBHOOK_SECRET=$SECRET taskset -c "$SERVER_CPU" "$HOOKGUARD" proxy --workers 1 --listen "127.0.0.1:$PROXY_PORT" \
    --upstream "http://127.0.0.1:$UPSTREAM_PORT/plain" --provider peopleforce > "$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
wait_port "$PROXY_PORT"

# CPU time (user + system, clock ticks) used so far by a process and its children.
ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}

# One wrk run on `connections`; prints "requests_per_s p99_ms cpu_us_per_request" for the
# process measured.
run_wrk() {
    local url=$1 pid=$2 connections=$3 out before after
    before=$(ticks "$pid")
    out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$connections" -d"$DURATION" --latency -s "$WORK/post.lua" "$url")
    after=$(ticks "$pid")
    if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $url:" >&2; echo "$out" >&2; exit 1; fi
    python3 benches/wrk_summary.py "$out" "$((after - before))" "$(getconf CLK_TCK)"
}

ARMS=(direct nginx hookguard)
arm_url() {
    case $1 in
        direct) echo "http://127.0.0.1:$UPSTREAM_PORT/plain" ;;
        nginx) echo "http://127.0.0.1:$NGINX_PORT/webhooks/peopleforce" ;;
        hookguard) echo "http://127.0.0.1:$PROXY_PORT/webhooks/peopleforce" ;;
    esac
}
arm_pid() {
    case $1 in
        direct) echo "${PIDS[0]}" ;;
        nginx) echo "$NGINX_PID" ;;
        hookguard) echo "$PROXY_PID" ;;
    esac
}

# Sanity: the signed delivery passes every arm; the proxy refuses it unsigned.
for arm in "${ARMS[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-PeopleForce-Signature: $SIGNATURE" --data-binary @"$BODY" "$(arm_url "$arm")")
    [ "$code" = 200 ] || { echo "$arm: signed delivery got $code" >&2; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$BODY" "$(arm_url hookguard)")
[ "$code" = 403 ] || { echo "hookguard: unsigned delivery got $code" >&2; exit 1; }

for arm in "${ARMS[@]}"; do DURATION=2s run_wrk "$(arm_url "$arm")" "$(arm_pid "$arm")" "$CONNECTIONS" > /dev/null; done
for arm in "${ARMS[@]}"; do : > "$WORK/result.$arm"; done
for rep in $(seq 1 "$REPS"); do
    for k in "${!ARMS[@]}"; do
        arm=${ARMS[$(((rep + k) % ${#ARMS[@]}))]}
        loaded=$(run_wrk "$(arm_url "$arm")" "$(arm_pid "$arm")" "$CONNECTIONS")
        single=$(run_wrk "$(arm_url "$arm")" "$(arm_pid "$arm")" 1)
        result="$loaded $(cut -d' ' -f2 <<<"$single")"
        echo "$result" >> "$WORK/result.$arm"
        echo "rep $rep $arm: $result" >&2
    done
done

python3 - "$WORK" <<'PY'
import statistics, sys
work = sys.argv[1]
median = statistics.median
def load(arm):
    rows = [line.split() for line in open(f"{work}/result.{arm}") if line.strip()]
    return [[float(r[i]) for r in rows] for i in range(4)]
arms = {arm: load(arm) for arm in ("direct", "nginx", "hookguard")}
print(f"{'arm':<10} {'req/s':>8} {'p99 ms loaded':>14} {'p99 ms 1 conn':>14} {'CPU µs/req':>11}  (medians)")
for name, (rps, p99, cpu, p99_single) in arms.items():
    measured = "upstream" if name == "direct" else "proxy"
    print(f"{name:<10} {median(rps):>8.0f} {median(p99):>14.3f} {median(p99_single):>14.3f} {median(cpu):>11.2f} ({measured})")
direct_p99 = median(arms["direct"][3])
for name in ("nginx", "hookguard"):
    print(f"{name}: p99 added over direct on one connection {median(arms[name][3]) - direct_p99:+.3f} ms")
print(f"CPU per request hookguard/nginx: {median(arms['hookguard'][2]) / median(arms['nginx'][2]):.2f}")
# Each repetition runs the two proxies back to back: the median of their ratios within a
# repetition is less moved by load that comes and goes on a shared machine.
paired = [h / n for h, n in zip(arms["hookguard"][2], arms["nginx"][2])]
print(f"CPU per request hookguard/nginx, median of the repetitions' ratios: {median(paired):.2f}")
PY
