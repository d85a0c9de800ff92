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
    children_cpu_s: float = 0.0  # of its children that ended and were waited for


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


def _exe(pid: int) -> str:
    try:
        return str(Path(f"/proc/{pid}/exe").readlink())
    except OSError:
        return "?"


def _role(pid: int, root_exe: str) -> str | None:
    """What a descendant is, or None for a fork that has not run its program yet (it would show the parent's
    memory as its own)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    text = " ".join(a.decode(errors="replace") for a in argv)
    if "uvicorn" in text and "prefect" in text:
        return "Prefect server"
    if "spawn_main" in text:
        return "page process"
    if "resource_tracker" in text:
        return "resource tracker"
    exe = _exe(pid)
    return None if exe in (root_exe, "?") else Path(exe).name


def _sample(pid: int) -> tuple[float, float, float, float] | None:
    """(peak RSS MB so far, CPU seconds so far, CPU seconds of its finished children, RSS MB now) of a process,
    or None when it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    memory = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Vm")}
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (all threads)
    children_cpu = (int(fields[13]) + int(fields[14])) / _TICKS  # cutime, cstime: children waited for
    return memory.get("VmHWM", 0) / 1024, cpu, children_cpu, memory.get("VmRSS", 0) / 1024


class ProcessWatch:
    """Samples every ``interval_s`` in a background thread until stopped; the root process is watched as 'flow'."""

    def __init__(self, root_pid: int, interval_s: float = 0.2) -> None:
        self.root_pid = root_pid
        self.processes: dict[tuple[int, str], ProcessFigures] = {}
        self.root_rss_mb: list[float] = []  # the root's resident memory at every sample, to see it does not grow
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
        root_exe = _exe(self.root_pid)
        while not self._stop.is_set():
            root_children_cpu = 0.0
            children = _children_of()
            server_alive = False
            pending = [self.root_pid]
            while pending:
                pid = pending.pop()
                pending += children.get(pid, [])
                role = "flow" if pid == self.root_pid else _role(pid, root_exe)
                sample = _sample(pid) if role else None
                if role is None or sample is None:
                    continue
                # keyed by program too: a pid may be reused by another program during a long run
                figures = self.processes.setdefault((pid, role), ProcessFigures(pid, role))
                figures.peak_rss_mb = max(figures.peak_rss_mb, sample[0])
                figures.cpu_s = max(figures.cpu_s, sample[1])
                if pid == self.root_pid:
                    root_children_cpu = sample[2]
                    self.root_rss_mb.append(sample[3])
                else:
                    figures.children_cpu_s = max(figures.children_cpu_s, sample[2])
                server_alive = server_alive or role == "Prefect server"
            # Once Prefect's temporary server has ended and been waited for, its CPU is among the root's
            # children too: only counted while it runs (or when there is none).
            if server_alive or not any(f.role == "Prefect server" for f in self.processes.values()):
                root = self.processes.get((self.root_pid, "flow"))
                if root is not None:
                    root.children_cpu_s = max(root.children_cpu_s, root_children_cpu)
            self._stop.wait(self._interval_s)

    def children_cpu_s(self, *roles: str) -> float:
        """CPU seconds of the finished children of processes of these roles (poppler's renderers, one per PDF
        page, end too quickly to be sampled themselves)."""
        return sum(f.children_cpu_s for f in self.processes.values() if f.role in roles)

    def by_role(self) -> dict[str, tuple[int, float, float]]:
        """Per role: (processes, highest peak RSS MB of one process, CPU seconds of all of them)."""
        roles: dict[str, tuple[int, float, float]] = {}
        for figures in self.processes.values():
            count, peak, cpu = roles.get(figures.role, (0, 0.0, 0.0))
            roles[figures.role] = (count + 1, max(peak, figures.peak_rss_mb), cpu + figures.cpu_s)
        return roles
