"""``tm-builder ARGS`` in a fresh process, with that process's own peak memory, CPU and wall seconds.

Peak memory is ``VmHWM`` read by the child itself at exit: Linux keeps a
parent's high-water mark across ``exec``, so the parent's ``ru_maxrss``
for its children would count the benchmark's own memory.
"""

from __future__ import annotations

import subprocess
import sys
import time

_CHILD = """
import sys, resource
from tm_builder.cli import main
sys.argv = ["tm-builder", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
hwm = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM'))
r = resource.getrusage(resource.RUSAGE_SELF)
print(f"BENCH {hwm} {r.ru_utime + r.ru_stime:.2f}", file=sys.stderr)
sys.exit(code)
"""


def run_measured(*args: str) -> tuple[int, float, float]:
    """(peak KiB, CPU seconds, wall seconds) of ``tm-builder ARGS``; exits with its message if it fails."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    line = next((x for x in done.stderr.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"tm-builder {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    _, kib, cpu = line.split()
    return int(kib), float(cpu), wall
