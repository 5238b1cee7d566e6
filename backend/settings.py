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
WRITE_SECONDS = 10              # while an answer waits for its client, it must take
WRITE_MIN_BYTES = 16 << 10      # at least this much of it every WRITE_SECONDS, else it is cut off
SEND_BUFFER_BYTES = 256 << 10   # kernel send buffer per connection (SO_SNDBUF; autotuned it grows to 4 MB)
MAX_PIPELINED = 8               # requests queued on one connection behind the one answered; more → closed
# One client address in a worker (backend/protocol.py): its requests whose answers have not started, beyond
# which its next one waits its turn (unparsed); what it may leave unread before its next request gets 429:
CLIENT_REQUESTS_AT_ONCE = 8     # a browser opens 6 connections a host; an event stream has started its answer
CLIENT_UNREAD_ANSWERS = 16      # connections whose answers wait for it to read
CLIENT_UNSENT_BYTES = 32 << 20  # the bytes of those answers (the largest, a 100k-merge tokenizer: 8.8 MB)
MAX_TEXT_BYTES = 100_000        # tokenize: larger texts get 413
INLINE_TOKENIZE_BYTES = 16_000  # tokenize: longer texts are encoded in a thread, off the event loop,
LONG_ENCODES = 1                # this many at once in a worker (backend/long_work.py); the others wait:
LONG_ENCODES_WAITING = 64       # at most this many in all (more → 503)
LONG_ENCODES_PER_CLIENT = 4     # and this many running or waiting from one client address (more → 429)
MAX_IDS = 100_000               # decode: more ids get 413
# Training a BPE from the token page (backend/training_pool.py): text up to MAX_TEXT_BYTES, in a process of
# its own per worker at a lower CPU priority, one at a time, a few waiting, each within a time budget.
BPE_TRAIN_MAX_MERGES = 2000     # merges one request may ask for
BPE_TRAIN_SECONDS = 10.0        # a training stops (413, with a message) past this
BPE_TRAIN_WAITING = 3           # requests that may wait per worker behind the one training; more get 503
MAX_SAVED_TOKENIZERS = 200      # tokenizer files in data/tokenizers beyond which saving from the page is refused
MAX_ERROR_ITEMS = 20            # a 422 lists at most this many problems (and says how many it left out)
MAX_ERROR_TEXT = 200            # characters of one problem's message or location
MAX_ERROR_MESSAGE = 1_000       # characters of any error's message (no answer echoes a huge input)

# Memory, per worker.
FILE_CACHE_BYTES = 64 << 20     # raw run files kept for sending
CHUNK_CACHE_BYTES = 64 << 20    # parsed step chunks kept for step and neighbor queries (their measured size)
RUN_DATA_CACHE_BYTES = 160 << 20  # runs' vocabularies, step indexes, final weights and word indexes
TOKENIZER_CACHE_BYTES = 192 << 20  # tokenizers loaded, measured (a 200,000-merge one: ~110 MB)
TOKENIZER_UNIT_CACHE_BYTES = 16 << 20  # each loaded tokenizer's encoded pieces (all merge counts together)
TOKENIZER_ANSWERS_BYTES = 32 << 20  # serialized answers that depend only on a tokenizer file (merges, lessons)
BODY_BYTES_HELD = 32 << 20      # request bodies received and not yet answered, all connections → 503
CLIENT_BODY_BYTES_HELD = 4 << 20  # the same from one client address → 503

# What a worker agrees to read of a run (backend/runs.py): a run is untrusted input, copied from anyone.
# Beyond these it is listed as broken, with the limit it passed; the default runs are far below them.
MAX_MANIFEST_BYTES = 2 << 20      # run.json (the default run's: 12 KB; 10,000 files: about 1.1 MB)
MAX_RUN_FILES = 10_000            # files run.json may list (the default run lists 51)
MAX_WEIGHT_NUMBERS = 32_000_000   # V × d of W: 128 MB as float32 (a 200,000-word corpus run at d = 100 is 20M)
MAX_PARSED_JSON_BYTES = 8 << 20   # vocab.json and step_index.json, which the server parses (200,000 words: 3 MB)
MAX_RUN_FILE_BYTES = 256 << 20    # any other file, served as it is
# What a .json.gz may inflate to, by path prefix (the first that matches). Parsing holds the GIL, so these
# also bound how long one parse can keep a worker's event loop waiting (docs/performance.md).
MAX_INFLATED_BYTES = {
    "steps/": 8 << 20,            # a step chunk: the default run's are 0.8 MB, a 500-word book run's 2.7 MB
    "timeline/": 4 << 20,         # a timeline chunk (0.1 MB)
    "": 8 << 20,                  # any other (the explorer's map: 36 KB)
}
CACHED_FILE_BYTES = 1 << 20       # run files up to this are kept in memory; larger ones are streamed from disk
MAX_TOKENIZER_FILE_BYTES = 32 << 20  # a tokenizer file (bench/hostile.py's 200,000 merges: 5.3 MB)
BROKEN_RECHECK_SECONDS = 2        # a broken run or tokenizer is read again after this (a copy may have completed)

# Answers.
GZIP_LEVEL = 1
GZIP_MINIMUM_SIZE = 1000
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")

# Where `wordlab serve` listens, handed to its worker processes through the environment (as the runs
# directory is): GET /api/share turns it into the LAN links of the share control.
BIND_HOST_ENV = "WORDLAB_BIND_HOST"
BIND_PORT_ENV = "WORDLAB_BIND_PORT"

# Server-side state every worker sees (backend/statestore.py): SQLite files under data/state/ unless
# WORDLAB_STATE names another directory or a Redis URL (redis://host:6379/0) for several servers.
STATE_ENV = "WORDLAB_STATE"
STATE_BUSY_SECONDS = 5          # how long a write waits for another worker's lock (SQLite) or a connection (Redis)
STATE_REDIS_CONNECTIONS = 32    # Redis connections per worker process (a burst waits for one)

# The live classroom (backend/livestore.py, livefeed.py, routes/live.py): limits per worker process.
LIVE_KEEPALIVE_SECONDS = 5      # an idle event stream gets a comment this often, so no idle deadline cuts it
LIVE_POLL_SECONDS = 0.025       # SQLite: how often a worker with streams open reads the other workers' events
LIVE_RETRY_MS = 1000            # a browser reconnects a dropped event stream after this
LIVE_RING_EVENTS = 512          # recent events replayed to a stream that reconnects (older: the current state)
LIVE_LOG_EVENTS = 2000          # SQLite: events kept in the log the workers read
LIVE_MAX_STREAMS = 5000         # event streams one worker holds; more get 503 (each is a socket and a task)
LIVE_MAX_STREAMS_PER_ADDRESS = 16
LIVE_MAX_STATE_BYTES = 160_000  # the leader's view (the token page's text may be MAX_TEXT_BYTES)
LIVE_MAX_NICKNAME = 24          # characters
LIVE_MAX_CHOICES = 12
LIVE_TALLY_SECONDS = 0.15       # a question's counts are sent at most this often while answers arrive
LIVE_PRESENCE_SECONDS = 5       # each worker writes how many streams it holds this often
LIVE_RATE_PER_ADDRESS = (30, 120)   # class requests (answers, joins) per second, and the burst, from one address
LIVE_RATE_PER_CONNECTION = (8, 16)  # the same for one connection
LIVE_JOINS_PER_ADDRESS = (1, 20)    # new anonymous students per second, and the burst, from one address
LIVE_KEY_FAILURES = (0.5, 10)       # wrong instructor keys per second, and the burst, from one address
