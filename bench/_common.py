"""Helpers shared by the speed benchmarks: timing a command as a user runs it, the orjson parse
floor of the same files, peak memory of a process tree, and the optional peer tools."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
PERMWISE = [sys.executable, "-m", "permwise"]


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            kids = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            for k in kids:
                out.extend(_tree(int(k)))
    except OSError:
        pass
    return out


def _status(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cmd: list[str], *, stdin=None, stdout=subprocess.DEVNULL, feed=None) -> dict:
    """Run ``cmd`` as a user would; wall time, CPU time of the process tree, and peak memory
    (the largest sum of resident memory over the process and its workers, sampled every 20 ms,
    and the main process's own high-water mark)."""
    cpu0 = child_cpu()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if feed else stdin, stdout=stdout, stderr=subprocess.PIPE)
    peak = {"tree": 0, "main": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = _tree(p.pid)
            peak["tree"] = max(peak["tree"], sum(_status(q, "VmRSS") for q in pids))
            peak["main"] = max(peak["main"], _status(p.pid, "VmHWM"))
            time.sleep(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    if feed:
        try:
            feed(p.stdin)
        finally:
            p.stdin.close()
        err = p.stderr.read()
        p.wait()
    else:
        _, err = p.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, cmd))} failed: {err.decode()[-2000:]}")
    return {"wall": wall, "cpu": child_cpu() - cpu0, "peak_tree": peak["tree"], "peak_main": peak["main"]}


def parse_floor(paths: list[Path]) -> float:
    """Seconds to read and ``orjson.loads`` every JSON (or JSON-lines) file: the least any tool
    must spend on the same input."""
    t0 = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".jsonl":
            for line in data.splitlines():
                if line.strip():
                    orjson.loads(line)
        else:
            orjson.loads(data)
    return time.perf_counter() - t0


def json_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json") if p.is_file())


def best(fn, repeat: int) -> dict:
    """The run with the least wall time of ``repeat`` (the machine is shared: noise only adds)."""
    runs = [fn() for _ in range(repeat)]
    return min(runs, key=lambda r: r["wall"])


def which(name: str) -> str | None:
    return shutil.which(name)


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"
