#!/usr/bin/env python3
"""Shares of a JFR recording's stack samples by thread, while one bench target ran.

Usage: jfr print --events jdk.ExecutionSample --stack-depth 60 rec.jfr > samples.txt
       python3 benchmarks/jfr-threads.py samples.txt streams-state-alo [streams-alo ...]

For each target name (the Streams application is sluice-bench-<target>), the window is from a
fifth of the way into its stream thread's samples (past the warm-up at the first rate) to the
last of them; every thread's samples in that window are counted, thread numbers and application
ids folded (docs/PERFORMANCE.md, the fourth session's profile).
"""
import collections
import re
import sys

from jfr_samples import samples


def main(path, targets):
    rows = [(s, th) for s, th, _ in samples(path) if s is not None]
    for target in targets:
        own = sorted(s for s, th in rows
                     if re.search(r"sluice-bench-" + re.escape(target) + r"-[0-9a-f-]+-StreamThread", th))
        if not own:
            print(f"== {target}: no stream thread samples")
            continue
        lo, hi = own[len(own) // 5], own[-1]
        counts = collections.Counter()
        for s, th in rows:
            if lo <= s <= hi:
                name = re.sub(r"sluice-bench-[a-z-]+?-[0-9a-f]{8}-[0-9a-f-]{27}", "APP", th)
                counts[re.sub(r"\d+", "N", name)] += 1
        n = sum(counts.values())
        print(f"== {target}: {hi - lo:.0f} s, {n} samples")
        for name, c in counts.most_common(12):
            print(f"{100 * c / n:5.1f}% {name}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
