#!/usr/bin/env python3
"""Summarises one wrk run for the bench scripts.

    python3 benches/wrk_summary.py WRK_OUTPUT CPU_TICKS CLK_TCK

prints "requests_per_s p99_ms cpu_us_per_request": the CPU ticks the measured process used
during the run, per request wrk completed.
"""
import re
import sys

out, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
p99 = float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
requests = int(re.search(r"(\d+) requests in", out).group(1))
print(f"{rps:.0f} {p99:.3f} {ticks / hz / max(requests, 1) * 1e6:.2f}")
