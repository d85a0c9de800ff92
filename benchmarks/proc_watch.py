"""Watches a process and its descendants (Linux /proc): peak resident memory and CPU seconds of each one."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class ProcessFigures:
    pid: int
    role: str
    peak_rss_mb: float = 0.0
    cpu_s: float = 0.0


def _children_of() -> dict[int, list[int]]:
    """Parent pid -> child pids, from every process's stat line (/proc/PID/task/*/children needs a kernel option)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _role(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode(errors="replace") for a in argv)
    if "uvicorn" in text and "prefect" in text:
        return "Prefect server"
    if "spawn_main" in text:
        return "page process"
    if "resource_tracker" in text:
        return "resource tracker"
    if argv and argv[0]:
        return Path(argv[0].decode(errors="replace")).name
    return "?"


def _sample(pid: int) -> tuple[float, float] | None:
    """(peak RSS MB so far, CPU seconds so far) of one process, or None when it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    peak_kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (all threads)
    return peak_kb / 1024, cpu


class ProcessWatch:
    """Samples every ``interval_s`` in a background thread until stopped; the root process is watched as 'flow'."""

    def __init__(self, root_pid: int, interval_s: float = 0.2) -> None:
        self.root_pid = root_pid
        self.processes: dict[int, ProcessFigures] = {}
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="process-watch", daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            children = _children_of()
            pending = [self.root_pid]
            while pending:
                pid = pending.pop()
                sample = _sample(pid)
                if sample is None:
                    continue
                figures = self.processes.setdefault(pid, ProcessFigures(pid, "flow"))
                role = _role(pid) if pid != self.root_pid else "flow"
                if role != "?":
                    figures.role = role  # read again: a child forked a moment ago may not have exec'd yet
                figures.peak_rss_mb = max(figures.peak_rss_mb, sample[0])
                figures.cpu_s = max(figures.cpu_s, sample[1])
                pending += children.get(pid, [])
            self._stop.wait(self._interval_s)

    def by_role(self) -> dict[str, tuple[int, float, float]]:
        """Per role: (processes, highest peak RSS MB of one process, CPU seconds of all of them)."""
        roles: dict[str, tuple[int, float, float]] = {}
        for figures in self.processes.values():
            count, peak, cpu = roles.get(figures.role, (0, 0.0, 0.0))
            roles[figures.role] = (count + 1, max(peak, figures.peak_rss_mb), cpu + figures.cpu_s)
        return roles
