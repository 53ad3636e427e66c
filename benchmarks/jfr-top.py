#!/usr/bin/env python3
"""The hottest frames of the threads whose name matches a pattern, in a JFR recording's samples.

Usage: jfr print --events jdk.ExecutionSample --stack-depth 60 rec.jfr > samples.txt
       python3 benchmarks/jfr-top.py samples.txt 'streams-state-alo-.*StreamThread-\\d+$'

Prints the share of samples with each method on top of the stack (self) and anywhere on it
(inclusive; the rows overlap).
"""
import collections
import re
import sys

from jfr_samples import samples


def main(path, pattern):
    own = collections.Counter()
    anywhere = collections.Counter()
    n = 0
    for _, thread, frames in samples(path):
        if not re.search(pattern, thread):
            continue
        if not frames:
            continue
        n += 1
        own[frames[0]] += 1
        for f in set(frames):
            anywhere[f] += 1
    print(f"{n} samples")
    print("--- self")
    for f, c in own.most_common(25):
        print(f"{100 * c / n:5.1f}% {f}")
    print("--- inclusive")
    for f, c in anywhere.most_common(60):
        print(f"{100 * c / n:5.1f}% {f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
