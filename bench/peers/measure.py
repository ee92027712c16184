#!/usr/bin/env python3
"""Runs one command as a child process and prints {"seconds", "cpuSeconds", "maxRssKb", "status"} as JSON on
the last stderr line: wall time from just before the spawn to the child's exit (time.perf_counter), and from
getrusage(RUSAGE_CHILDREN) the child's user + system CPU time and peak resident set size (Linux: kilobytes).
The child's stdout passes through.
Used by bench/run.ts for the tool and the numpy peer alike, so both are measured the same way.

usage: measure.py COMMAND [ARGS...]
"""
import json
import resource
import subprocess
import sys
import time

start = time.perf_counter()
child = subprocess.run(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
sys.stderr.write(child.stderr.decode("utf-8", "replace"))
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
sys.stderr.write("\n" + json.dumps({"seconds": seconds, "cpuSeconds": cpu, "maxRssKb": usage.ru_maxrss, "status": child.returncode}) + "\n")
