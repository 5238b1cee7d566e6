"""Process-level start-up of the server: enough file descriptors for a class, and workers that
never outlive their supervisor."""

import ctypes
import os
import resource
import signal
import sys

from backend import settings

SUPERVISOR_ENV = "WORDLAB_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def raise_open_files_limit(wanted: int = settings.OPEN_FILES_WANTED) -> tuple[int, int]:
    """Raises the soft RLIMIT_NOFILE towards `wanted` (never above the hard limit, which needs root):
    at the common 1024, a few hundred idle connections would refuse every new one. Returns (soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # a platform that refuses: keep what there is
            pass
    return soft, hard


def stop_with_supervisor() -> None:
    """In a worker (the supervisor's pid is in the environment): the kernel sends it SIGTERM, which
    uvicorn handles, when the supervisor dies, even by SIGKILL. Linux only; elsewhere a no-op."""
    parent = os.environ.get(SUPERVISOR_ENV)
    if parent is None or not sys.platform.startswith("linux") or os.getpid() == int(parent):
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):  # it died before the request was made
        sys.exit(0)
