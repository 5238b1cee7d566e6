"""Exports a run's input vectors W in the formats the field's tools read.

word2vec text and binary (word2vec.c, gensim's KeyedVectors.load_word2vec_format) and the TensorBoard
Embedding Projector's two TSV files (vectors, metadata). Files appear only when complete, both TSV files
together (trainer/atomic_files.py): a full disk leaves nothing behind.
"""

from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

from trainer.atomic_files import make_folder, write_files
from trainer.errors import WordlabError
from trainer.run_format import read_json, read_manifest

FORMATS = ("word2vec", "word2vec-binary", "projector")


def load_vectors(run_dir: Path) -> tuple[list[str], np.ndarray]:
    read_manifest(run_dir)
    words = read_json(run_dir, "vocab.json")["words"]
    return words, load_file(str(run_dir / "model.safetensors"))["W"].astype(np.float32)


def word2vec_text(words: list[str], W: np.ndarray) -> bytes:
    """'V d' then 'word x1 … xd' per line; 9 significant digits give every float32 back exactly."""
    lines = [f"{len(words)} {W.shape[1]}"]
    lines += [word + " " + " ".join(f"{x:.9g}" for x in row) for word, row in zip(words, W.tolist(), strict=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def word2vec_binary(words: list[str], W: np.ndarray) -> bytes:
    """'V d\\n' then, per word, the word, a space, d little-endian float32 and a newline (as word2vec.c)."""
    rows = W.astype("<f4")
    parts = [f"{len(words)} {W.shape[1]}\n".encode()]
    for word, row in zip(words, rows, strict=True):
        parts += [word.encode("utf-8") + b" ", row.tobytes(), b"\n"]
    return b"".join(parts)


def export_run(run_dir: Path, fmt: str, out: Path | None = None) -> list[Path]:
    """Writes the export next to the run (or to `out`) and returns the written paths."""
    if fmt not in FORMATS:
        raise WordlabError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not run_dir.is_dir():
        raise WordlabError(f"no run at {run_dir}")
    words, W = load_vectors(run_dir)
    if fmt == "projector":
        folder = out or run_dir.parent / f"{run_dir.name}-projector"
        vectors = "".join("\t".join(f"{x:.6g}" for x in row) + "\n" for row in W.tolist())
        files = {folder / "vectors.tsv": vectors.encode(), folder / "metadata.tsv": ("\n".join(words) + "\n").encode()}
        made = make_folder(folder, "the export folder")
        try:
            write_files(files, "the export")
        except WordlabError:
            if made:
                folder.rmdir()   # it was made for these files: nothing of the export is left
            raise
        return list(files)
    binary = fmt == "word2vec-binary"
    path = out or run_dir.parent / f"{run_dir.name}.{'bin' if binary else 'txt'}"
    write_files({path: word2vec_binary(words, W) if binary else word2vec_text(words, W)}, "the export")
    return [path]
