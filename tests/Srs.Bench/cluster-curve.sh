#!/usr/bin/env bash
# The stream directory's cost against cluster size: one `Srs.Bench cluster` run per size (a fresh
# cluster each), phases ramp (streams spread over the origins, held) then converge (publish and
# unpublish one stream at a time, every node polled), and one line per size: convergence time,
# cluster-port bytes per node per change, directory heap per stream, warnings.
#
#   tests/Srs.Bench/cluster-curve.sh                          # the sizes below, the Release dll
#   NODE=/opt/srs/Srs.Node SIZES="3:2:1000 30:4:20000" tests/Srs.Bench/cluster-curve.sh
#
# SIZES: NODES:ORIGINS:STREAMS, the other nodes edges. Each run is bounded by RUN_BOUND seconds
# (then SIGTERM: the bench stops its nodes and deletes its files). LOGS=DIR keeps every run's output
# and node logs in DIR/NODESxSTREAMS/.
set -euo pipefail
cd "$(dirname "$0")/../.."

BENCH=${BENCH:-tests/Srs.Bench/bin/Release/net10.0/Srs.Bench.dll}
SIZES=${SIZES:-"3:2:1000 3:2:5000 3:2:20000 10:4:1000 10:4:5000 10:4:20000 30:4:1000 30:4:5000 30:4:20000"}
RAMP=${RAMP:-200}
CHANGES=${CHANGES:-30}
QUIET=${QUIET:-10s}
RUN_BOUND=${RUN_BOUND:-900}
NODE=${NODE:-}
LOGS=${LOGS:-}

[ -f "$BENCH" ] || { echo "error: $BENCH not found (dotnet build tests/Srs.Bench -c Release)" >&2; exit 2; }
out=$(mktemp -d /tmp/srs-cluster-curve-XXXXXX)
trap 'rm -rf "$out"' EXIT

# field NAME LINE: the value of NAME=... in a RESULT line ("na" when absent).
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1 | grep . || echo na; }

# rx B/chg: cluster-port bytes a node received per publish during the ramp (thousands of changes: the
# figure to compare), averaged over the nodes, and the largest node's; conv: the same over the
# converge phase's few changes (noisier); quiet: a node's idle cluster-port traffic.
fmt='%5s %7s %7s %9s %6s %8s %8s %8s %8s %9s %9s %9s %8s %8s %9s %7s\n'
printf "$fmt" nodes origins streams published failed conv_p50 conv_p99 conv_max not_conv rx_B/chg rx_max conv_B/ch quiet_B/s dir_B/st oversized hb_warn
for size in $SIZES; do
  IFS=: read -r nodes origins streams <<<"$size"
  edges=$((nodes - origins))
  log="$out/${nodes}x${streams}.txt"
  args=(cluster --origins "$origins" --edges "$edges" --phases ramp,converge --streams "$streams" --spread on
        --ramp "$RAMP" --changes "$CHANGES" --quiet "$QUIET")
  [ -n "$NODE" ] && args+=(--node "$NODE")
  if [ -n "$LOGS" ]; then mkdir -p "$LOGS/${nodes}x${streams}"; args+=(--logs "$LOGS/${nodes}x${streams}"); fi
  timeout --signal=TERM --kill-after=60 "$RUN_BOUND" dotnet "$BENCH" "${args[@]}" >"$log" 2>&1 || true
  [ -n "$LOGS" ] && cp "$log" "$LOGS/${nodes}x${streams}/bench.txt"
  ramp=$(grep '^RESULT mode=cluster phase=ramp ' "$log" || true)
  conv=$(grep '^RESULT mode=cluster phase=converge ' "$log" || true)
  all=$(grep '^RESULT mode=cluster phase=all ' "$log" || true)
  if [ -z "$conv" ]; then
    echo "$nodes $origins $streams: no converge result (see the run's output):"; tail -5 "$log"; continue
  fi
  printf "$fmt" "$nodes" "$origins" "$streams" \
    "$(field published "$ramp")" "$(field failed "$ramp")" "$(field converge_ms_p50 "$conv")" "$(field converge_ms_p99 "$conv")" \
    "$(field converge_ms_max "$conv")" "$(field not_converged "$conv")" "$(field rx_per_node_per_change "$ramp")" \
    "$(field rx_per_node_per_change_max "$ramp")" "$(field rx_per_node_per_change "$conv")" "$(field quiet_rx_per_node_Bps "$ramp")" \
    "$(field directory_bytes_per_stream "$ramp")" \
    "$(field oversized "$all")" "$(( $(field hb_growing "$all" | sed 's/na/0/') + $(field hb_delayed "$all" | sed 's/na/0/') ))"
done
