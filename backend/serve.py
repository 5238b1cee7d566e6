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
    print(f"  API documentation: {urls[0]}docs   (Ctrl-C stops the server)", flush=True)


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
    bind(host, port).close()  # fails before the default run is trained (10 s) rather than after
    raise_open_files_limit()  # the workers inherit it
    os.environ["WORDLAB_RUNS_DIR"] = str(Path(runs_dir).resolve())
    os.environ["WORDLAB_TOKENIZERS_DIR"] = str(Path(tokenizers_dir).resolve())
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    os.environ[settings.BIND_HOST_ENV], os.environ[settings.BIND_PORT_ENV] = host, str(port)  # GET /api/share
    get_ready(host, port, runs_dir, tokenizers_dir)
    uvicorn.run(APP, host=host, port=port, workers=workers, **UVICORN_OPTIONS)
