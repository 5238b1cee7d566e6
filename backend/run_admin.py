"""`wordlab runs list | delete`: what an instructor needs to tidy the runs directory from a terminal.

Torch-free. A run is deleted by first renaming it to a hidden name (which the server never lists),
then removing it, so a server running meanwhile never serves half a run. A run directory that is a
symbolic link may point anywhere (even at /): it is neither walked nor emptied, only the link removed.
"""

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import RunFormatError
from trainer.names import check_name
from trainer.run_format import MANIFEST, check_run, run_dirs

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


def directory_bytes(path: Path, manifest: dict | None = None) -> int:
    """What a run takes on disk: its manifest's files when it is valid, else the regular files under the
    directory, links not followed; nothing for a directory that is itself a link."""
    if manifest is not None:
        return sum(info["bytes"] for info in manifest["files"].values()) + (path / MANIFEST).stat().st_size
    if path.is_symlink():
        return 0
    total = 0
    for root, _, files in os.walk(path):  # links to directories are not followed
        for name in files:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            total += info.st_size if stat.S_ISREG(info.st_mode) else 0
    return total


def listing(run_dir: Path) -> RunListing:
    manifest, error = check_run(run_dir)
    return RunListing(run_dir.name, directory_bytes(run_dir, manifest) / 1e6, manifest, error)


def list_runs(runs_dir: Path) -> list[RunListing]:
    return [listing(d) for d in run_dirs(runs_dir)]


def delete_run(runs_dir: Path, name: str) -> int:
    """Removes the run called name (valid or broken); returns the bytes freed. Unknown names are an error."""
    check_name(name)
    run_dir = runs_dir / name
    if run_dir not in run_dirs(runs_dir):
        known = ", ".join(d.name for d in run_dirs(runs_dir)) or "none"
        raise RunFormatError(f"no run called {name!r} in {runs_dir} (runs: {known})")
    freed = directory_bytes(run_dir, check_run(run_dir)[0]) if not run_dir.is_symlink() else 0
    hidden = runs_dir / f"{DELETING_PREFIX}{name}-{os.getpid()}"
    run_dir.rename(hidden)
    if hidden.is_symlink():
        hidden.unlink()  # the link only: what it points to is not this run directory's to remove
    else:
        shutil.rmtree(hidden)
    return freed
