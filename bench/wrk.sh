#!/usr/bin/env bash
# Cross-check of bench/load.py with wrk, a C load generator that takes less of the 2 cores than a
# Python client: 50 connections back to back for 10 s per route, against `wordlab serve` on loopback.
# Usage: bash bench/wrk.sh [workers]   (needs: apt-get install wrk; the default run and tokenizer)
set -euo pipefail
cd "$(dirname "$0")/.."
workers="${1:-2}"
port=8799
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
lua=$(mktemp --suffix .lua)
.venv/bin/python - "$lua" <<'PY'
import json, sys
text = open("data/corpora/teaching.txt", encoding="utf-8").read()[:1024]
body = json.dumps({"text": text})
open(sys.argv[1], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                             f"wrk.body = {json.dumps(body)}\n")
PY
.venv/bin/wordlab serve --host 127.0.0.1 --port $port --workers "$workers" >/dev/null &
server=$!
trap 'kill $server; rm -f "$lua"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
chunk=$(.venv/bin/python -c "import json; c=json.load(open('data/runs/default/run.json'))['chunks']['steps']; print(c[len(c)//2])")
echo "wordlab serve --workers $workers; wrk -t2 -c50 -d10s, back to back"
run() { echo "== $1"; shift; wrk -t2 -c50 -d10s --latency -H "Accept-Encoding: gzip" "$@" | grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"; }
run "tokenize (1 KB, the same text each time)" -s "$lua" "http://127.0.0.1:$port/api/tokenize"
run "neighbours (k=10)" "http://127.0.0.1:$port/api/runs/default/neighbors?word=king&k=10"
run "step chunk ($chunk)" "http://127.0.0.1:$port/api/runs/default/files/$chunk"
