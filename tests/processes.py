"""Watching a server's processes from a test (Linux: /proc and pidfd): its uvicorn workers, and waiting for
processes to exit on the kernel's word (a pidfd turns readable when its process exits) instead of polling."""

import os
import select
import time
from pathlib import Path


def children(pid: int) -> list[int]:
    """The processes whose parent is pid, from /proc (one may exit while it is read: it is then left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def workers_of(server) -> list[int]:
    """uvicorn's worker processes (started by multiprocessing's spawn), leaving out any that exit meanwhile
    (a killed worker's /proc entry goes between the listing and the read)."""
    workers = []
    for pid in children(server.pid):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.append(pid)
        except OSError:
            continue
    return workers


def wait_for_workers(server, count: int, not_in: tuple = (), seconds: float = 30) -> list[int]:
    """The server's `count` workers other than not_in, once it has them. Exits of the old ones are awaited on
    their pidfds; then the new ones are polled for: a process's birth gives its parent's watcher no event."""
    wait_until_gone(list(not_in), seconds)
    deadline = time.monotonic() + seconds
    while True:
        pids = [pid for pid in workers_of(server) if pid not in not_in]
        if len(pids) == count:
            return pids
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} workers, found {workers_of(server)}")
        time.sleep(0.05)   # a poll with no event to wait on (see the docstring)


def wait_until_gone(pids: list[int], seconds: float = 10) -> None:
    """Returns once every process in pids has exited (each one's pidfd turns readable when it does);
    AssertionError naming those still alive after `seconds`."""
    fds = {}
    for pid in pids:
        try:
            fds[os.pidfd_open(pid)] = pid
        except ProcessLookupError:
            continue   # gone already
    try:
        deadline = time.monotonic() + seconds
        while fds:
            left = deadline - time.monotonic()
            ready, _, _ = select.select(list(fds), [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"still running after {seconds:g} s: {sorted(fds.values())}")
            for fd in ready:
                os.close(fd)
                del fds[fd]
    finally:
        for fd in fds:
            os.close(fd)
