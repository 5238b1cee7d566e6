"""A full disk during `tokenizer train`, `export`, the default tokenizer build and `corpus get` (#22): one line
that says so, exit code 2, and nothing half-written left (no temporary file, no partial export)."""

import builtins
import errno
import io
import os
from pathlib import Path

import pytest

from backend.cli import main
from tests.conftest import write_text
from tests.test_download import BOOK, mirror  # noqa: F401 (mirror: the fixture)
from trainer.bpe.build import build_default_tokenizer
from trainer.errors import WordlabError


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A folder on a "disk" with `budget[0]` bytes left: a write past it stores what fits and fails with ENOSPC,
    as a real full disk does. Every open for writing under the folder goes through it (builtins.open and
    io.open, which pathlib and os.fdopen call), whoever opens the file."""
    root = tmp_path / "full"
    root.mkdir()
    budget = [0]
    real_open = io.open

    class Filling:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            fits = min(len(data), budget[0])
            self._handle.write(data[:fits])
            budget[0] -= fits
            if fits < len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return len(data)

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()

    def opened(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        path = os.readlink(f"/proc/self/fd/{file}") if isinstance(file, int) else os.path.abspath(file)
        if set(mode) & set("wax+") and Path(path).is_relative_to(root):
            return Filling(handle)
        return handle

    monkeypatch.setattr(io, "open", opened)
    monkeypatch.setattr(builtins, "open", opened)
    return root, budget


def left_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_tokenizer_train_on_a_full_disk(tmp_path, full_disk, capsys):
    root, budget = full_disk
    corpus = write_text(tmp_path / "c.txt", "the heron walks by the river and the heron waits\n" * 40)
    budget[0] = 1000   # the tokenizer file is larger
    assert main(["tokenizer", "train", "--corpus", str(corpus), "--vocab-size", "500", "--name", "t",
                 "--out", str(root), "--quiet"]) == 2
    assert f"the disk is full: cannot write tokenizer {root / 't.json'}" in one_error_line(capsys)
    assert left_in(root) == []


def test_the_default_tokenizer_build_on_a_full_disk(tmp_path, full_disk):
    root, budget = full_disk
    budget[0] = 500
    with pytest.raises(WordlabError, match="the disk is full: cannot write tokenizer .*default.json"):
        build_default_tokenizer(root, progress=False, words=2000, merges=50)   # a small one: the same writing
    assert left_in(root) == []


@pytest.mark.parametrize("fmt, budget", [("projector", 200), ("projector", 0), ("word2vec", 100)])
def test_export_on_a_full_disk_leaves_no_part_of_the_export(small_run, full_disk, capsys, fmt, budget):
    """200 bytes: the vectors' file is written before the metadata runs out of room; 0: nothing fits."""
    root, left = full_disk
    left[0] = budget
    out = root / "export"
    assert main(["export", str(small_run), "--format", fmt, "--output", str(out)]) == 2
    assert "the disk is full: cannot write the export" in one_error_line(capsys)
    assert left_in(root) == []                 # no .tmp, no vectors.tsv without its metadata, no empty folder


def test_corpus_get_on_a_full_disk(full_disk, request, monkeypatch, capsys):
    base = request.getfixturevalue("mirror")[0]
    root, budget = full_disk
    budget[0] = len(BOOK)   # the book fits, its source record does not
    monkeypatch.setenv("WORDLAB_GUTENBERG_URL", base)
    assert main(["corpus", "get", "84", "--out", str(root)]) == 2
    assert "the disk is full: cannot write the book" in one_error_line(capsys)
    assert left_in(root) == []
