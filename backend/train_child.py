"""One training job in a process of its own (started by backend/train_jobs.py's run_job under its limits):
trains the run in-process and tells its runner how far it is as JSON lines on stdout, so the Train page
shows a progress bar with the loss so far; a failure's reason is the last line of stderr.

Lines: {"event": "progress", "step": N, "steps": TOTAL, "loss": MEAN} at most every REPORT_SECONDS (the loss
is the mean since the previous line, steadier than one step's), then {"event": "done", "diverged": null or
the manifest's `diverged`, "train_seconds" and "write_seconds": what the training loop and writing the run
took (the queue's cost model), "bytes": the run's size (the disk quotas)}. A diverged run is kept
(train_run's keep_diverged): that is a lesson too.

Usage: python -m backend.train_child JOB_JSON RUNS_DIR, JOB_JSON a job as backend/train_jobs.py stores it."""

import json
import sys
import time
from pathlib import Path

REPORT_SECONDS = 0.25


class Progress:
    """report(step, loss) after every step; writes a line when REPORT_SECONDS have passed or at the end."""

    def __init__(self, steps: int, out=sys.stdout) -> None:
        self.steps, self.out = steps, out
        self.next_at = time.monotonic()
        self.total, self.count = 0.0, 0

    def __call__(self, step: int, loss: float) -> None:
        self.total += loss
        self.count += 1
        if step == self.steps or time.monotonic() >= self.next_at:
            self.line({"event": "progress", "step": step, "steps": self.steps, "loss": self.total / self.count})
            self.total, self.count = 0.0, 0
            self.next_at = time.monotonic() + REPORT_SECONDS

    def line(self, event: dict) -> None:
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()


def run(job: dict, runs_dir: Path) -> dict:
    """Trains the job's run into runs_dir (the atomic run writer: a killed child leaves no run)."""
    from trainer.config import TeachingConfig
    from trainer.teaching_run import train_run

    if job["kind"] != "teaching":
        raise ValueError(f"this worker trains teaching runs, not {job['kind']!r}")
    source = job.get("source") or {}  # paths the server chose (backend/train_sources.py); none: teaching, words
    chosen = {field: source[field] for field in ("corpus", "tokenizer") if source.get(field)}
    config = TeachingConfig(method=job["method"], **job["knobs"], **chosen)
    progress = Progress(config.steps)
    progress.line({"event": "progress", "step": 0, "steps": config.steps, "loss": None})
    summary = train_run(config, job["name"], runs_dir, progress=False, log=lambda line: None, report=progress,
                        keep_diverged=True)
    diverged = json.loads((summary.run_dir / "run.json").read_text()).get("diverged")
    event = {"event": "done", "diverged": diverged, "train_seconds": summary.train_seconds,
             "write_seconds": summary.write_seconds, "bytes": summary.total_bytes}
    progress.line(event)
    return event


def main(argv: list[str]) -> int:
    run(json.loads(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
