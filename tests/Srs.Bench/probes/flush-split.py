#!/usr/bin/env python3
"""How a merged write's time splits between user space and the kernel, from a node profile.

    perf record -F 999 -g -p NODE_PID -o perf.data -- sleep 12   # node started with DOTNET_PerfMapEnabled=1
    perf script -i perf.data -F comm,ip,sym | tests/Srs.Bench/probes/flush-split.py [TOP]

Counts the samples whose stack goes through SourceActor.FlushPlayers (the fan-out of one window
to every player) and splits them by where the sample landed: a kernel address (the sends) or not
(the server's own code, the runtime, libc). The machine's speed moves both sides alike, so their
ratio compares builds more steadily on a noisy VM than CPU time does. TOP lists the heaviest
user-space functions inside the flush.
"""
import collections
import sys


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    total = flush = kernel = 0
    user = collections.Counter()
    for sample in sys.stdin.read().split("\n\n"):
        lines = [line.strip() for line in sample.strip().splitlines() if line.strip()]
        if len(lines) < 2:
            continue
        total += 1
        if not any("FlushPlayers" in frame for frame in lines[1:]):
            continue
        flush += 1
        address, _, symbol = lines[1].partition(" ")
        if address.startswith("ffffffff"):
            kernel += 1
        else:
            user[symbol[:110]] += 1
    if flush == 0 or kernel == 0:
        sys.exit(f"no flush samples among {total}: was the node under load, and started with DOTNET_PerfMapEnabled=1?")
    in_user = flush - kernel
    print(f"samples {total}, in flushes {flush} ({100 * flush / total:.1f}%): kernel {kernel}, user {in_user}, "
          f"user/kernel {in_user / kernel:.3f}")
    for symbol, count in user.most_common(top):
        print(f"  {100 * count / flush:5.2f}%  {symbol}")


if __name__ == "__main__":
    main()
