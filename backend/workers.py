"""Several uvicorn processes on one port, each with its own SO_REUSEPORT socket, on Linux.

uvicorn's --workers share one listening socket, and the worker that wakes first accepts nearly
every pending connection: of 50 connections opened together, one of two workers took 44 or more
in 7 of 9 trials, so one core queued the requests while the other idled. With a socket per worker
the kernel hashes each new connection to one of them (25/25 to 18/32 in six trials; counted with
`ss`). SO_REUSEPORT does not balance on macOS or Windows, where `serve` keeps uvicorn's own workers.
"""

import ctypes
import multiprocessing
import os
import signal
import socket
import sys

import uvicorn

from trainer.errors import WordlabError

APP = "backend.app:app_from_env"
# Shared with serve's single-process path. No proxy headers: the app is served directly to the class,
# where X-Forwarded-For would only let a client claim another address (and it is one layer less a request).
UVICORN_OPTIONS = {"factory": True, "log_level": "warning", "access_log": False, "proxy_headers": False}
POLL_SECONDS = 0.5
BACKLOG = 2048  # uvicorn's default
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def reuse_port_balances() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bind(host: str, port: int, reuse_port: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def check_port_free(host: str, port: int) -> None:
    """Fails clearly when the port is taken. SO_REUSEPORT alone would let a second `wordlab serve`
    join the first one's port silently and split the classroom's traffic between the two."""
    try:
        bind(host, port, reuse_port=False).close()
    except OSError as err:
        raise WordlabError(f"cannot listen on {host}:{port} ({err.strerror}); is another server running? "
                           "Stop it or choose another --port") from None


def stop_with(parent: int) -> None:
    """A worker must not outlive its supervisor (killed with SIGKILL, say) and go on holding the port:
    the kernel sends it SIGTERM, which uvicorn handles, when the supervisor dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request was made
        sys.exit(0)


def run_worker(sock: socket.socket, parent: int) -> None:
    stop_with(parent)
    uvicorn.Server(uvicorn.Config(APP, **UVICORN_OPTIONS)).run(sockets=[sock])


def serve_balanced(host: str, port: int, workers: int) -> None:
    """Runs the workers until Ctrl-C or SIGTERM, or until one of them exits, which stops them all.

    Every socket listens before any worker starts, so a connection that arrives while a worker is
    still importing waits in that worker's queue rather than all of them landing on the first one up.
    """
    context = multiprocessing.get_context("spawn")
    sockets = [bind(host, port, reuse_port=True) for _ in range(workers)]
    for sock in sockets:
        sock.listen(BACKLOG)
    processes = [context.Process(target=run_worker, args=(sock, os.getpid()), name=f"wordlab-worker-{i + 1}")
                 for i, sock in enumerate(sockets)]
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for process, sock in zip(processes, sockets):
            process.start()
            sock.close()  # the worker has its own copy; a worker that dies takes its socket with it
        while all(process.is_alive() for process in processes):
            processes[0].join(POLL_SECONDS)
        gone = next(p for p in processes if not p.is_alive())
        raise WordlabError(f"{gone.name} stopped (exit code {gone.exitcode}); the server is shut down")
    except KeyboardInterrupt:
        pass  # Ctrl-C reached the workers too: they finish their requests and exit
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
