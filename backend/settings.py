"""Every setting of the server in one place: workers, request limits, timeouts, memory budgets.

The limits are what one student's browser could ever need, with room to spare; everything above
them is refused early, before it costs the other students anything (docs/architecture.md, "What a
classroom server withstands").
"""

import os

# Processes: one per core, at most 4. uvicorn's supervisor restarts a worker that dies or stops
# answering its health check for WORKER_HEALTHCHECK_SECONDS.
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
WORKER_HEALTHCHECK_SECONDS = 5
OPEN_FILES_WANTED = 65536  # soft RLIMIT_NOFILE asked for at start-up (up to the hard limit)

# Requests.
MAX_BODY_BYTES = 1_000_000      # counted as the bytes arrive, chunked bodies included → 413
MAX_HEADER_BYTES = 64 * 1024    # request line and headers together → 431
HEADER_SECONDS = 10             # a request's head must arrive within this, from its first byte → closed
BODY_SECONDS = 30               # a body must arrive within this, once its head is in → closed
IDLE_SECONDS = 10               # a connection with no request in flight is closed after this
MAX_TEXT_BYTES = 100_000        # tokenize: larger texts get 413
INLINE_TOKENIZE_BYTES = 16_000  # tokenize: longer texts are encoded in a thread, off the event loop
MAX_IDS = 100_000               # decode: more ids get 413
# Training a BPE from the token page (backend/training_pool.py): text up to MAX_TEXT_BYTES, in a process of
# its own per worker at a lower CPU priority, one at a time, a few waiting, each within a time budget.
BPE_TRAIN_MAX_MERGES = 2000     # merges one request may ask for
BPE_TRAIN_SECONDS = 10.0        # a training stops (413, with a message) past this
BPE_TRAIN_WAITING = 3           # requests that may wait per worker behind the one training; more get 503
MAX_SAVED_TOKENIZERS = 200      # tokenizer files in data/tokenizers beyond which saving from the page is refused
MAX_ERROR_ITEMS = 20            # a 422 lists at most this many problems (and says how many it left out)
MAX_ERROR_TEXT = 200            # characters of one problem's message or location

# Memory, per worker.
FILE_CACHE_BYTES = 64 << 20     # raw run files kept for sending
CHUNK_CACHE_BYTES = 64 << 20    # parsed step chunks kept for step and neighbor queries

# Answers.
GZIP_LEVEL = 1
GZIP_MINIMUM_SIZE = 1000
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")

# Where `wordlab serve` listens, handed to its worker processes through the environment (as the runs
# directory is): GET /api/share turns it into the LAN links of the share control.
BIND_HOST_ENV = "WORDLAB_BIND_HOST"
BIND_PORT_ENV = "WORDLAB_BIND_PORT"
