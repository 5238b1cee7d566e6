"""Files that appear whole or not at all, and a write failure said in one line.

Exports, tokenizers and downloaded books are written beside their target under a hidden temporary name and
renamed over it only when every file of the set is on disk: a full disk, a read-only folder or a crash leaves
the old files (or none) and no temporary file. Run directories have their own writer (trainer/run_store.py).
"""

import errno
import os
from pathlib import Path

from trainer.errors import WordlabError


def write_error(err: OSError, what: str, path: Path) -> WordlabError:
    """The message a user can act on; ENOSPC and EDQUOT (quota) say the disk is full."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return WordlabError(f"the disk is full: cannot write {what} {path} (nothing was left half-written; "
                            "free some space and try again)")
    return WordlabError(f"cannot write {what} {path}: {err.strerror or err} (nothing was left half-written)")


def write_files(files: dict[Path, bytes], what: str) -> None:
    """Writes every file under a temporary name, then renames them all into place; on any failure the
    temporary files go and no target is touched, and the error is a WordlabError."""
    written: list[tuple[Path, Path]] = []
    current = next(iter(files))
    try:
        for current, data in files.items():
            tmp = current.with_name(f".{current.name}.{os.getpid()}.tmp")
            written.append((tmp, current))
            with open(tmp, "wb") as handle:
                handle.write(data)
        for tmp, current in written:
            os.replace(tmp, current)
    except BaseException as err:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise write_error(err, what, current) from None
        raise


def make_folder(folder: Path, what: str) -> bool:
    """mkdir -p with a one-line error; True when it made the folder (so a failure after can remove it)."""
    existed = folder.is_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise write_error(err, what, folder) from None
    return not existed
