#!/usr/bin/env bash
# The same `Srs.Bench play` scenario against this server (Release build) and against nginx-rtmp
# (one worker), one after the other: the server pinned to core 0, the load tool to core 1.
# Prints each run's summary, then a table of both servers per player count with the CPU and RSS
# ratios (this server / nginx-rtmp; medians when a point is repeated). With REPEAT > 1 it also
# prints the CPU ratio of each run's pair (both servers measured minutes apart) and their median,
# which a noisy machine moves less than it moves the ratio of medians.
#
#   tests/Srs.Bench/compare-nginx.sh [PLAYERS ...]          default: 100 500 1000 2000
#
# Environment (all optional):
#   DURATION=40s      steady window measured         SETTLE=5s    after the ramp, before the window
#   RAMP=500          players started per second     BITRATE=1000 kbps of the generated stream
#   REPEAT=1          runs per point (medians)       SERVERS="srs nginx"  which servers, in order
#   PROTOCOL=rtmp     players (nginx-rtmp serves RTMP only; flv runs against this server alone)
#   NODE=native       this server as deployments run it: the ahead-of-time build (`dotnet publish
#                     Srs.Node -c Release`, docs/operations.md "Native build"); jit: Srs.Node.dll
#   BUILD=1           dotnet build Cluster.sln -c Release (and publish the native node) first
#                     (0: use the existing build)
#   PRIORITY=1        run server and tool in their own scheduler autogroups at nice -19, so builds
#                     and tests running beside the benchmark do not starve it (CPU-time figures are
#                     per process either way); 0: normal priority
#   NGINX_CHUNK=60000 nginx-rtmp's chunk_size (this server sends with 60000 by default)
#   OUT=dir           where configs, logs and results go (default: a new /tmp/srs-compare.XXXX)
#   BENCH_ARGS="..."  more options for `Srs.Bench play` (e.g. "--probe-every 5")
#   SRS_EXTRA="..."   more lines inside this server's srs { } block (e.g. "mw-latency = 80ms")
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
PLAYERS_LIST=("$@")
[ ${#PLAYERS_LIST[@]} -eq 0 ] && PLAYERS_LIST=(100 500 1000 2000)
DURATION=${DURATION:-40s}
SETTLE=${SETTLE:-5s}
RAMP=${RAMP:-500}
BITRATE=${BITRATE:-1000}
REPEAT=${REPEAT:-1}
SERVERS=${SERVERS:-"srs nginx"}
PROTOCOL=${PROTOCOL:-rtmp}
NODE=${NODE:-native}
BUILD=${BUILD:-1}
PRIORITY=${PRIORITY:-1}
NGINX_CHUNK=${NGINX_CHUNK:-60000}
BENCH_ARGS=${BENCH_ARGS:-}
OUT=${OUT:-$(mktemp -d /tmp/srs-compare.XXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: > "$RESULTS"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

if [ "$(nproc)" -lt 2 ]; then log "needs 2 cores (server on core 0, load tool on core 1)"; exit 2; fi

# --- file descriptors: each player is a socket in the tool and one in the server -------------------
max_players=$(printf '%s\n' "${PLAYERS_LIST[@]}" | sort -n | tail -1)
need=$((max_players + 512))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -Hn "$need" 2>/dev/null && ulimit -n "$need" 2>/dev/null || true
fi
FD_LIMIT=$(ulimit -n)
log "open-file limit (ulimit -n): $FD_LIMIT for server and tool; $max_players players need about $need"
if [ "$FD_LIMIT" != unlimited ] && [ "$FD_LIMIT" -lt "$need" ]; then
  log "the limit is too low for $max_players players and cannot be raised here (hard limit $(ulimit -Hn))"; exit 2
fi

# --- nginx with the RTMP module (Debian 12: nginx-light + libnginx-mod-rtmp) -------------------------
NGINX_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so
if [[ " $SERVERS " == *" nginx "* ]] && { ! command -v nginx >/dev/null || [ ! -f "$NGINX_MODULE" ]; }; then
  log "installing nginx with the RTMP module"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nginx-light libnginx-mod-rtmp \
    || apt-get install -y -qq --no-install-recommends nginx libnginx-mod-rtmp
fi

# --- this server, Release ----------------------------------------------------------------------------
NATIVE_DIR=$ROOT/Srs.Node/bin/Release/native
if [ "$BUILD" = 1 ]; then
  log "dotnet build Cluster.sln -c Release"
  dotnet build Cluster.sln -c Release -v q -nologo > "$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log"; exit 1; }
  if [ "$NODE" = native ]; then
    log "dotnet publish Srs.Node -c Release -o $NATIVE_DIR"
    dotnet publish Srs.Node -c Release -o "$NATIVE_DIR" -v q -nologo >> "$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log"; exit 1; }
  fi
fi
case $NODE in
  native) NODE_CMD=("$NATIVE_DIR/Srs.Node") ;;
  jit) NODE_CMD=(dotnet "$ROOT/Srs.Node/bin/Release/net10.0/Srs.Node.dll") ;;
  *) log "NODE=$NODE: native or jit"; exit 2 ;;
esac
BENCH_DLL=$ROOT/tests/Srs.Bench/bin/Release/net10.0/Srs.Bench.dll
[ -f "${NODE_CMD[-1]}" ] && [ -f "$BENCH_DLL" ] || { log "build first: ${NODE_CMD[-1]} or $BENCH_DLL missing (run with BUILD=1)"; exit 1; }
log "this server: ${NODE_CMD[*]}"

# --- free ports (never a fixed one: other nodes on this machine may share ports with SO_REUSEPORT) ---
free_port() {
  local p
  for p in $(shuf -i 20000-32000 -n 200); do
    if ! ss -Htan "( sport = :$p )" | grep -q .; then echo "$p"; return; fi
  done
  log "no free port"; exit 1
}
SRS_RTMP=$(free_port); SRS_API=$(free_port); SRS_FLV=$(free_port); NGINX_RTMP=$(free_port)

cat > "$OUT/srs.conf" <<EOF
srs {
  rtmp.listen = "127.0.0.1:$SRS_RTMP"
  http-api.listen = "127.0.0.1:$SRS_API"
  http-server.listen = "127.0.0.1:$SRS_FLV"
  reuseport = off      # a port clash fails loudly instead of sharing connections with another node
  ${SRS_EXTRA:-}
}
akka.loglevel = WARNING
EOF

mkdir -p "$OUT/nginx/logs"
cat > "$OUT/nginx/nginx.conf" <<EOF
load_module $NGINX_MODULE;
worker_processes 1;
daemon off;
master_process on;
error_log $OUT/nginx/error.log warn;
pid $OUT/nginx/nginx.pid;
worker_rlimit_nofile $need;
events { worker_connections $need; }
rtmp {
  server {
    listen 127.0.0.1:$NGINX_RTMP;
    chunk_size $NGINX_CHUNK;
    application live { live on; }
  }
}
EOF

# --- running things: pinned, optionally boosted, always cleaned up ---------------------------------
# launch CORE PIDFILE CMD...: CMD on CORE in its own session; its pid (CMD is exec'd) goes to PIDFILE.
launch() {
  local core=$1 pidfile=$2; shift 2
  setsid -w bash -c 'echo $$ > "$1"; [ "$2" = 1 ] && echo -19 > /proc/$$/autogroup 2>/dev/null; shift 2; exec taskset -c "$0" "$@"' \
    "$core" "$pidfile" "$PRIORITY" "$@"
}

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap 'stop_server' EXIT INT TERM

wait_port() {
  for _ in $(seq 300); do
    ss -Htln "( sport = :$1 )" | grep -q . && return 0
    sleep 0.1
  done
  return 1
}

# run_point SERVER PLAYERS RUN
run_point() {
  local server=$1 players=$2 run=$3 url pids api=() tag="$1-$2-$3"
  case $server in
    srs)
      launch 0 "$OUT/srs.pid" "${NODE_CMD[@]}" -c "$OUT/srs.conf" > "$OUT/$tag.server.log" 2>&1 &
      sleep 0.5; SERVER_PID=$(cat "$OUT/srs.pid")
      wait_port "$SRS_RTMP" && wait_port "$SRS_API" || { log "the node did not start: $OUT/$tag.server.log"; tail -5 "$OUT/$tag.server.log"; exit 1; }
      url=rtmp://127.0.0.1:$SRS_RTMP/live/bench
      pids=$SERVER_PID
      api=(--api "http://127.0.0.1:$SRS_API")
      ;;
    nginx)
      rm -f "$OUT/nginx/nginx.pid"
      launch 0 "$OUT/nginx.launch.pid" nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" > "$OUT/$tag.server.log" 2>&1 &
      wait_port "$NGINX_RTMP" || { log "nginx did not start: $OUT/nginx/error.log"; tail -5 "$OUT/nginx/error.log"; exit 1; }
      for _ in $(seq 50); do [ -s "$OUT/nginx/nginx.pid" ] && pgrep -P "$(cat "$OUT/nginx/nginx.pid")" >/dev/null && break; sleep 0.1; done
      SERVER_PID=$(cat "$OUT/nginx/nginx.pid")
      pids="$SERVER_PID,$(pgrep -P "$SERVER_PID" | paste -sd,)"
      url=rtmp://127.0.0.1:$NGINX_RTMP/live/bench
      ;;
  esac
  local flv=()
  [ "$PROTOCOL" = flv ] && flv=(--protocol flv --flv "127.0.0.1:$SRS_FLV")
  log "$server: $players $PROTOCOL players, run $run (server pid $pids; load tool on core 1)"
  # shellcheck disable=SC2086
  launch 1 "$OUT/bench.pid" timeout 900 dotnet "$BENCH_DLL" play --url "$url" --players "$players" --ramp "$RAMP" \
      --settle "$SETTLE" --duration "$DURATION" --bitrate "$BITRATE" --server-pid "$pids" "${api[@]}" "${flv[@]}" \
      --label "$server" $BENCH_ARGS 2>&1 | tee "$OUT/$tag.bench.log" | grep -v '^ \+[0-9.]\+s ' || true
  grep '^RESULT ' "$OUT/$tag.bench.log" | sed "s/^RESULT /RESULT run=$run /" >> "$RESULTS" || log "no RESULT line: $OUT/$tag.bench.log"
  stop_server
  sleep 2
}

log "ports: this server rtmp $SRS_RTMP api $SRS_API flv $SRS_FLV; nginx-rtmp $NGINX_RTMP; output in $OUT"
for players in "${PLAYERS_LIST[@]}"; do
  for run in $(seq "$REPEAT"); do
    for server in $SERVERS; do
      [ "$server" = nginx ] && [ "$PROTOCOL" = flv ] && continue
      run_point "$server" "$players" "$run"
    done
  done
done

# --- the comparison: medians per (server, players), ratios this server / nginx-rtmp ------------------
echo
echo "$PROTOCOL players, ${BITRATE} kbps, window $DURATION; server on core 0, tool on core 1; medians of $REPEAT run(s); results in $RESULTS"
awk '
  function get(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "na" }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " "); if (n == 0 || list == "") return "na"
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  /^RESULT / {
    key = get("label") SUBSEP get("players"); seen[key] = 1; players[get("players")] = 1
    split("server_cpu_pct server_rss_bytes server_rss_idle_bytes latency_p50_ms latency_p99_ms ttff_p50_ms stalled_players failed dropped slow_players tool_cpu_pct", f, " ")
    for (i in f) { v = get(f[i]); if (v != "na") vals[key, f[i]] = vals[key, f[i]] (vals[key, f[i]] == "" ? "" : " ") v }
    lost = get("failed") + get("dropped"); vals[key, "lost"] = vals[key, "lost"] (vals[key, "lost"] == "" ? "" : " ") lost
    run = get("run"); runcpu[get("label"), get("players"), run] = get("server_cpu_pct")
    if (!((get("players"), run) in seenrun)) { seenrun[get("players"), run] = 1; runs[get("players")] = runs[get("players")] " " run }
  }
  END {
    printf "%-6s %7s %8s %8s %8s %8s %8s %9s %8s %6s %6s %6s\n", "server", "players", "cpu %", "rss MB", "idle MB", "lat p50", "lat p99", "TTFF p50", "stalled", "failed", "slow", "tool %"
    n = 0; for (p in players) list[++n] = p + 0
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
    for (i = 1; i <= n; i++) {
      p = list[i]
      for (s = 1; s <= 2; s++) {
        name = (s == 1) ? "srs" : "nginx"; key = name SUBSEP p
        if (!(key in seen)) continue
        cpu[name] = median(vals[key, "server_cpu_pct"]); rss[name] = median(vals[key, "server_rss_bytes"])
        idle = median(vals[key, "server_rss_idle_bytes"])
        printf "%-6s %7d %8.1f %8.1f %8.1f %8s %8s %9s %8s %6s %6s %6s\n", name, p, cpu[name], rss[name] / 1e6, idle / 1e6,
          median(vals[key, "latency_p50_ms"]), median(vals[key, "latency_p99_ms"]), median(vals[key, "ttff_p50_ms"]),
          median(vals[key, "stalled_players"]), median(vals[key, "lost"]), median(vals[key, "slow_players"]),
          median(vals[key, "tool_cpu_pct"])
      }
      if (("srs" SUBSEP p) in seen && ("nginx" SUBSEP p) in seen && cpu["nginx"] > 0 && rss["nginx"] > 0)
        printf "%-6s %7d   cpu ratio this server / nginx-rtmp = %.2f   rss ratio = %.2f\n", "ratio", p, cpu["srs"] / cpu["nginx"], rss["srs"] / rss["nginx"]
      # Each run measures both servers within a minute or two, under the same machine conditions:
      # the ratio per run and its median are steadier than a ratio of medians on a noisy machine.
      paired = ""; nr = split(runs[p], rl, " ")
      for (r = 1; r <= nr; r++) {
        a = runcpu["srs", p, rl[r]]; b = runcpu["nginx", p, rl[r]]
        if (a != "" && b != "" && b + 0 > 0) paired = paired (paired == "" ? "" : " ") sprintf("%.2f", a / b)
      }
      if (paired != "" && nr > 1) printf "%-6s %7d   cpu ratio per run: %s   median %.2f\n", "pairs", p, paired, median(paired)
    }
  }' "$RESULTS"
