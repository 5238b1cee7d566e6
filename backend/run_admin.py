"""`wordlab runs list | delete`: what an instructor needs to tidy the runs directory from a terminal.

Torch-free. A run is deleted by first renaming it to a hidden name (which the server never lists),
then removing it, so a server running meanwhile never serves half a run.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import RunFormatError
from trainer.run_format import check_name, check_run, run_dirs

DELETING_PREFIX = ".deleting-"


@dataclass(frozen=True)
class RunListing:
    name: str
    megabytes: float
    manifest: dict | None
    error: str | None

    def describe(self) -> str:
        if self.manifest is None:
            return f"{self.name:<20} BROKEN  {self.error}"
        m, sizes = self.manifest, self.manifest["sizes"]
        corpus = Path(str(m.get("corpus", {}).get("source", m["config"].get("corpus", "?")))).name
        return (f"{self.name:<20} {m['kind']:<9} {corpus:<24} vocab {sizes.get('vocab', '?'):>5}  "
                f"steps {sizes.get('steps', '?'):>8}  epochs {sizes.get('epochs', '?'):>6}  "
                f"{self.megabytes:7.1f} MB  {m['created']}")


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def list_runs(runs_dir: Path) -> list[RunListing]:
    return [RunListing(d.name, directory_bytes(d) / 1e6, *check_run(d)) for d in run_dirs(runs_dir)]


def delete_run(runs_dir: Path, name: str) -> int:
    """Removes the run called name (valid or broken); returns the bytes freed. Unknown names are an error."""
    check_name(name)
    run_dir = runs_dir / name
    if run_dir not in run_dirs(runs_dir):
        known = ", ".join(d.name for d in run_dirs(runs_dir)) or "none"
        raise RunFormatError(f"no run called {name!r} in {runs_dir} (runs: {known})")
    freed = directory_bytes(run_dir)
    hidden = runs_dir / f"{DELETING_PREFIX}{name}-{os.getpid()}"
    run_dir.rename(hidden)
    shutil.rmtree(hidden)
    return freed
