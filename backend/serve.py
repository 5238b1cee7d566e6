"""`wordlab serve`: make sure there is something to show, print where to look, run uvicorn.

Several workers are uvicorn's own (`workers=N`): they share one listening socket, and uvicorn's
supervisor replaces a worker that dies or stops answering its health check.
"""

import os
import socket
from pathlib import Path

import uvicorn

from backend import settings
from backend.lan import lan_addresses, url
from backend.lifecycle import SUPERVISOR_ENV, raise_open_files_limit
from backend.livestore import instructor_key
from backend.qrcode import print_qr
from backend.statestore import state_config
from trainer.bpe.build import ensure_default_tokenizer
from trainer.errors import WordlabError
from trainer.run_store import recover_abandoned_partials

APP = "backend.app:app_from_env"
# No proxy headers: the app is served directly to the class, where X-Forwarded-For would only let a
# client claim another address.
UVICORN_OPTIONS = {"factory": True, "log_level": "warning", "access_log": False, "proxy_headers": False,
                   "http": "backend.protocol:GuardedHttpToolsProtocol", "timeout_keep_alive": settings.IDLE_SECONDS,
                   "timeout_worker_healthcheck": settings.WORKER_HEALTHCHECK_SECONDS}


LOOPBACK_FOR = {"0.0.0.0": "127.0.0.1", "::": "::1", "localhost": "127.0.0.1"}  # what to open on this machine


def get_ready(host: str, port: int, runs_dir: Path, tokenizers_dir: Path) -> None:
    """Something to show, then where to look. Temporary directories a killed trainer left are removed
    first (a complete run a crash left under a temporary name is put back)."""
    from trainer.teaching_run import ensure_default_runs  # numpy training: only on this path

    if Path(runs_dir).is_dir():
        recover_abandoned_partials(Path(runs_dir))
    ensure_default_runs(runs_dir)
    ensure_default_tokenizer(tokenizers_dir)
    urls = [url(LOOPBACK_FOR.get(host, host), port)]
    if host in ("0.0.0.0", "::"):
        urls += [url(address, port) for address in lan_addresses()]
    print("wordlab is serving:")
    for address in urls:
        print(f"  {address}")
    print(f"  API documentation: {urls[0]}docs   (Ctrl-C stops the server)")
    print_class_access(urls)


def print_class_access(urls: list[str]) -> None:
    """How students join (the LAN link and its QR code) and the instructor key that leads the class."""
    config = state_config()
    try:
        key = instructor_key(config)
    except Exception as err:  # a Redis that cannot be reached, a state directory that cannot be written
        raise WordlabError(f"cannot open the live class's state ({config.describe()}): {err}") from None
    if len(urls) > 1:
        print(f"Students join at {urls[1]} (or scan this code):")
        print_qr(urls[1])
    print(f"Instructor key: {key}   (keep it off the projector; it lets a browser lead the class)")
    print(f"  lead from any page with “Lead this class”, or open {urls[0]}#lead={key} on this computer;")
    print(f"  the class's state is kept in {config.describe()}", flush=True)


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


def serve(host: str, port: int, runs_dir: Path, tokenizers_dir: Path, workers: int = 1) -> None:
    bind(host, port).close()  # fails before the default run is trained rather than after
    raise_open_files_limit()  # the workers inherit it
    os.environ["WORDLAB_RUNS_DIR"] = str(Path(runs_dir).resolve())
    os.environ["WORDLAB_TOKENIZERS_DIR"] = str(Path(tokenizers_dir).resolve())
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    os.environ[settings.BIND_HOST_ENV], os.environ[settings.BIND_PORT_ENV] = host, str(port)  # GET /api/share
    get_ready(host, port, runs_dir, tokenizers_dir)
    from backend.train_queue import keep_worker_running
    keep_worker_running()  # the Train page's jobs (backend/train_queue.py)
    uvicorn.run(APP, host=host, port=port, workers=workers, **UVICORN_OPTIONS)
