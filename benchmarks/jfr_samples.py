"""Reads the text `jfr print --events jdk.ExecutionSample --stack-depth N rec.jfr` writes.

Shared by jfr-shares.py, jfr-threads.py and jfr-top.py (docs/PERFORMANCE.md, the profiles).
"""
import re


def samples(path):
    """Yields (seconds since midnight or None, thread name, frames top first) per sample."""
    for event in open(path).read().split("jdk.ExecutionSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]+)"', event)
        if not thread:
            continue
        t = re.search(r"startTime = (\d+):(\d+):([\d.]+)", event)
        seconds = (int(t.group(1)) * 3600 + int(t.group(2)) * 60 + float(t.group(3))) if t else None
        yield seconds, thread.group(1), re.findall(r"^\s+([\w.$<>/]+)\(", event, re.M)
