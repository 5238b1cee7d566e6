"""A class presses "Train": N students each submit a default-sized teaching run from the Train page within a
burst of a few seconds, to a real `wordlab serve` (its own training worker, SQLite queue in a fresh state
directory), while the same N students use the walkthrough and token pages as bench/load.py's classroom does.

Usage: python bench/train_queue.py [--students 60] [--burst 10] [--class-seconds 30] [--steps 15000]
                                   [--workers N] [--timeout 1800]
Prints: the classroom's latencies during the burst (bench/load.py's row; target p99 ≤ 10 ms, 0 errors),
how many jobs finished (target: all, none lost), and for the last job submitted its real wait against the
ETA the page showed it right after it was queued (target: within 25%), with the median error of all ETAs.
Each job's ETA is read once, just after its submission, as a student's page would first show it.
"""

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.settings import DEFAULT_WORKERS, STATE_ENV  # noqa: E402
from bench.load import HEADER, health_ok, row, run_loop, scenario, student  # noqa: E402
from bench.server import seconds_until, server_process  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.config import DEFAULT_CORPUS, DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, resolve_corpus  # noqa: E402
from trainer.teaching_run import ensure_default_runs  # noqa: E402

ACTIVE = ("queued", "running")


def key(i: int) -> dict:
    return {"X-Student-Key": f"bench-student-{i:03d}-0123456789"}


def burst(base: str, students: int, seconds: float, steps: int | None, jobs: list) -> None:
    """Each student submits one run, spread evenly over `seconds`, and reads its job's ETA once."""
    knobs = {"steps": steps} if steps else {}
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(students):
            time.sleep(max(0.0, started + i * seconds / students - time.monotonic()))
            answer = client.post("/api/train/jobs", headers=key(i),
                                 json={"kind": "teaching", "name": f"bench-{i:03d}", "knobs": knobs})
            if answer.status_code != 201:
                jobs.append({"student": i, "refused": f"{answer.status_code} {answer.text[:200]}"})
                continue
            job_id = answer.json()["id"]
            shown = client.get(f"/api/train/jobs/{job_id}", headers=key(i)).json()
            jobs.append({"student": i, "id": job_id, "asked": time.time(), "eta": shown["eta_seconds"],
                         "place": shown["place"]})


def wait_for_all(base: str, jobs: list, timeout: float) -> dict[str, dict]:
    """Polls every job until none is queued or running (or the timeout passes); their last states."""
    deadline = time.monotonic() + timeout
    final: dict[str, dict] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < deadline:
            for job in jobs:
                if "id" in job and final.get(job["id"], {}).get("state") in (None, *ACTIVE):
                    final[job["id"]] = client.get(f"/api/train/jobs/{job['id']}", headers=key(job["student"])).json()
            if all(j["state"] not in ACTIVE for j in final.values()):
                break
            time.sleep(2)
    return final


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--burst", type=float, default=10, help="seconds over which every student submits")
    parser.add_argument("--class-seconds", type=float, default=30, help="the classroom load, from the burst's start")
    parser.add_argument("--steps", type=int, default=None, help="each run's steps (default: the page's default)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for every job to end")
    args = parser.parse_args()

    ensure_default_runs(DEFAULT_RUNS_DIR)
    ensure_default_tokenizer(DEFAULT_TOKENIZERS_DIR)
    text = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="wordlab-train-bench-") as tmp:
        runs, state = Path(tmp) / "runs", Path(tmp) / "state"
        for name in ("default", "default-sgns"):  # the class's runs (the server trains none); theirs go beside them
            shutil.copytree(DEFAULT_RUNS_DIR / name, runs / name)
        manifest = orjson.loads((runs / "default" / "run.json").read_bytes())
        os.environ[STATE_ENV] = str(state)  # the server and its worker: a fresh queue and jobs table
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
        with server_process(runs, DEFAULT_TOKENIZERS_DIR, args.workers) as (port, started, server):
            seconds_until(lambda: health_ok(port), server, started, "answer")
            base = f"http://127.0.0.1:{port}"
            probed = time.monotonic()
            with httpx.Client(base_url=base) as client:  # the worker's cost probe, so the first ETAs exist
                while client.post("/api/train/estimate", json={"kind": "teaching"}).json()["expected_seconds"] is None:
                    if time.monotonic() - probed > 120:
                        raise SystemExit("the worker's cost probe did not finish within 120 s")
                    time.sleep(0.5)
            jobs: list = []
            submitting = threading.Thread(target=burst, args=(base, args.students, args.burst, args.steps, jobs))
            burst_started = time.time()
            submitting.start()
            students = [student("default", manifest, text, seed) for seed in range(args.students)]
            classroom = run_loop(scenario(port, students, 10**9, args.class_seconds, pauses=(1, 5), join_over=1))
            submitting.join()
            final = wait_for_all(base, jobs, args.timeout)
            load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{args.students} students submitted within {args.burst:g} s; classroom during the first "
          f"{args.class_seconds:g} s:")
    print(HEADER)
    print(row(f"classroom ({args.students} students, typing)", classroom))
    states: dict[str, int] = {}
    for job in final.values():
        states[job["state"]] = states.get(job["state"], 0) + 1
    refused = [j for j in jobs if "refused" in j]
    print(f"jobs: {len(jobs) - len(refused)} queued, {len(refused)} refused, end states {states}, "
          f"lost (never ended): {sum(1 for j in final.values() if j['state'] in ACTIVE)}")
    for job in refused[:3]:
        print(f"  refused: {job['refused']}")
    done = [(j, final[j["id"]]) for j in jobs if "id" in j and final[j["id"]]["state"] == "done"]
    if done:
        ended = max(f["finished"] for _, f in done)
        print(f"all ended {ended - burst_started:.0f} s after the burst began; each run "
              f"{statistics.median(f['finished'] - f['started'] for _, f in done):.1f} s (median, wall)")
        errors = [abs(f["finished"] - j["asked"] - j["eta"]) / max(1e-9, f["finished"] - j["asked"])
                  for j, f in done if j["eta"] is not None]
        last, last_final = max(done, key=lambda pair: pair[0]["asked"])
        waited = last_final["finished"] - last["asked"]
        shown = last["eta"]
        verdict = "n/a" if shown is None else f"{(shown - waited) / waited:+.0%}"
        print(f"last job (place {last['place']}): waited {waited:.0f} s, ETA shown {shown or 0:.0f} s "
              f"({verdict}; target within ±25%); median |error| of all {len(errors)} ETAs "
              f"{statistics.median(errors):.0%}" if errors else "no ETA was shown")
    print(f"load average after: {load_after}")


if __name__ == "__main__":
    main()
