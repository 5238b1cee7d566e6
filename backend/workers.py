"""Several uvicorn processes behind one port on Linux: the supervisor accepts every connection and
hands it to the workers in turn over a Unix socket (SCM_RIGHTS), as Node's cluster module does.

Why not let the kernel spread them: with uvicorn's --workers (one shared socket) the worker that
wakes first accepts nearly every pending connection (44 or more of 50 in 7 of 9 trials); with a
SO_REUSEPORT socket per worker the kernel hashes connections at random, 34/16 or 29/21 of 50, and
the busier worker set the tail (tokenize p99 22.6 ms on the worker with 34, 11.0 on the other).
Handed out in turn, 50 connections split 25/25. A handed connection costs one accept and one
sendmsg in the supervisor; browsers keep their connections alive, so that is once per connection.
Elsewhere (macOS, Windows) `serve` keeps uvicorn's own workers.
"""

import asyncio
import ctypes
import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import time

import uvicorn

from trainer.errors import WordlabError

APP = "backend.app:app_from_env"
# Shared with serve's single-process path. No proxy headers: the app is served directly to the class,
# where X-Forwarded-For would only let a client claim another address (and it is one layer less a request).
UVICORN_OPTIONS = {"factory": True, "log_level": "warning", "access_log": False, "proxy_headers": False}
BACKLOG = 2048  # uvicorn's default
ACCEPT_RETRY_SECONDS = 1  # asyncio's
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def supervised_workers() -> bool:
    """Handing connections over needs SCM_RIGHTS, and stopping workers with their supervisor needs prctl."""
    return sys.platform.startswith("linux")


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise WordlabError(f"cannot listen on {host}:{port} ({err.strerror}); is another server running? "
                           "Stop it or choose another --port") from None
    return sock


def check_port_free(host: str, port: int) -> None:
    """Fails before the default run is trained (10 s) rather than after."""
    bind(host, port).close()


def stop_with(parent: int) -> None:
    """A worker must not outlive its supervisor (killed with SIGKILL, say): the kernel sends it
    SIGTERM, which uvicorn handles, when the supervisor dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request was made
        sys.exit(0)


class HandedConnections:
    """Serves each connection the supervisor hands over with uvicorn's protocol. Stands where uvicorn
    keeps its asyncio servers, so its shutdown stops taking connections here as it would there."""

    def __init__(self, channel: socket.socket, create_protocol):
        self.channel = channel
        self.create_protocol = create_protocol
        self.loop = asyncio.get_running_loop()
        self.starting: set[asyncio.Task] = set()
        channel.setblocking(False)
        self.loop.add_reader(channel.fileno(), self.receive)

    def receive(self) -> None:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.channel, 1, 1)
            except BlockingIOError:
                return
            if not message:  # the supervisor has gone; it stops this worker too
                self.close()
                return
            for fd in fds:
                task = self.loop.create_task(self.serve(socket.socket(fileno=fd)))
                self.starting.add(task)
                task.add_done_callback(self.starting.discard)

    async def serve(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        try:
            await self.loop.connect_accepted_socket(self.create_protocol, sock)
        except OSError:  # the client left before its connection could be set up
            sock.close()

    def close(self) -> None:
        if self.channel.fileno() >= 0:
            self.loop.remove_reader(self.channel.fileno())
            self.channel.close()

    async def wait_closed(self) -> None:
        return None


class HandedConnectionsServer(uvicorn.Server):
    """uvicorn's server (lifespan, signals, graceful shutdown) without a listening socket of its own."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket):
        super().__init__(config)
        self.channel = channel

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=[])
        config = self.config
        self.servers = [HandedConnections(self.channel, functools.partial(
            config.http_protocol_class, config=config, server_state=self.server_state, app_state=self.lifespan.state))]


def run_worker(channel: socket.socket, parent: int) -> None:
    stop_with(parent)
    HandedConnectionsServer(uvicorn.Config(APP, **UVICORN_OPTIONS), channel).run()


class RoundRobin:
    """Gives each connection to the next worker. A worker's queue holds about 270 connections; when it
    is full the supervisor waits for it, and new connections wait in the listen backlog meanwhile."""

    def __init__(self, channels: list[socket.socket]):
        self.channels = channels
        self.next = 0

    def hand_over_pending(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:  # its client gave up while it waited in the queue
                continue
            except OSError as err:  # out of file descriptors: pause as asyncio's accept loop does
                print(f"wordlab: cannot accept connections ({err.strerror}); retrying in 1 s", file=sys.stderr)
                time.sleep(ACCEPT_RETRY_SECONDS)
                return
            self.hand_over(connection)

    def hand_over(self, connection: socket.socket) -> None:
        with connection:
            for _ in self.channels:
                channel = self.channels[self.next]
                self.next = (self.next + 1) % len(self.channels)
                try:
                    socket.send_fds(channel, [b"c"], [connection.fileno()])
                    return
                except OSError:  # a worker that has just died (the supervisor is about to stop)
                    continue


def serve_balanced(host: str, port: int, workers: int, get_ready) -> None:
    """Runs the workers until Ctrl-C or SIGTERM, or until one of them exits, which stops them all.

    The workers start first and import the app (0.6 s) while `get_ready` checks for a run to show
    and says where to look; then the port listens. A connection that arrives while a worker is
    still importing waits in its queue.
    """
    context = multiprocessing.get_context("spawn")
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(workers)]
    processes = [context.Process(target=run_worker, args=(theirs, os.getpid()), name=f"wordlab-worker-{i + 1}")
                 for i, (_, theirs) in enumerate(pairs)]
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = None
    try:
        for process, (_, theirs) in zip(processes, pairs):
            process.start()
            theirs.close()  # the worker has its own copy
        get_ready()
        listener = bind(host, port)
        listener.listen(BACKLOG)
        listener.setblocking(False)
        workers_out = RoundRobin([ours for ours, _ in pairs])
        while True:
            ready = multiprocessing.connection.wait([listener, *(process.sentinel for process in processes)])
            gone = next((process for process in processes if process.sentinel in ready), None)
            if gone is not None:
                gone.join()
                raise WordlabError(f"{gone.name} stopped (exit code {gone.exitcode}); the server is shut down")
            workers_out.hand_over_pending(listener)
    except KeyboardInterrupt:
        pass  # Ctrl-C reached the workers too: they finish their requests and exit
    finally:
        signal.signal(signal.SIGTERM, previous)
        if listener is not None:
            listener.close()
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
