"""Hostile corpora (#22): too large for a teaching run, NUL bytes past the first block, a sparse file, one
enormous line, inputs that made a rule quadratic. Limits are lowered for the test so every file is small."""

import time

import pytest

from backend.cli import main
from tests.conftest import write_text
from trainer import corpus as reader
from trainer.corpus import CorpusReader, read_corpus
from trainer.errors import CorpusError
from trainer.sgns.corpus_ids import read_corpus_ids


def test_a_teaching_run_refuses_a_corpus_over_its_limit_before_reading_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(reader, "MAX_TEACHING_BYTES", 4096)
    path = write_text(tmp_path / "big.txt", "the heron walks by the river\n" * 200)   # 5,800 bytes
    out = tmp_path / "runs"
    assert main(["train", "--corpus", str(path), "--name", "big", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is 5,800 bytes, over the 4,096 bytes limit for a teaching run" in err and "--kind corpus" in err
    assert "Traceback" not in err and not out.exists()
    with read_corpus_ids(path, 1) as corpus:                  # the corpus kind streams it
        assert corpus.sentences == 200
    opened = []
    monkeypatch.setattr(reader, "blocks", lambda *args: opened.append(args) or iter(()))
    with pytest.raises(CorpusError, match="limit for a teaching run"):
        read_corpus(path)
    assert opened == []                                       # refused on its size: not a byte read


@pytest.mark.parametrize("kind", ["teaching", "corpus"])
def test_a_nul_byte_anywhere_refuses_the_file_before_any_sentence(tmp_path, kind):
    """The check streams the whole file first (main looked at the first 64 KB of each 8 MB block)."""
    path = tmp_path / "late-nul.txt"
    text = b"the heron walks by the river\n" * 4000              # 116,000 bytes of text, then a NUL
    path.write_bytes(text + b"\x00" + b"more text\n")
    read = (lambda: read_corpus(path)) if kind == "teaching" else (lambda: read_corpus_ids(path, 1))
    with pytest.raises(CorpusError, match="binary file \\(a NUL byte at offset 116,000\\)"):
        read()


def test_a_sparse_file_is_refused_at_its_first_block(tmp_path, monkeypatch):
    """A 2 GiB sparse file (holes read as NULs): the corpus kind stops at the first block, having read one."""
    path = tmp_path / "sparse.txt"
    with open(path, "wb") as handle:
        handle.write(b"the heron walks by the river\n")
        handle.truncate(2 * 1024**3 - 1)
    reads = []
    real_blocks = reader.blocks

    def counted(*args):
        for offset, block in real_blocks(*args):
            reads.append(len(block))
            yield offset, block

    monkeypatch.setattr(reader, "blocks", counted)
    with pytest.raises(CorpusError, match="NUL byte at offset 29"):
        CorpusReader(path)
    assert reads == [reader.BLOCK_BYTES]
    with pytest.raises(CorpusError, match="over the 16.0 MiB limit for a teaching run"):
        read_corpus(path)


def test_one_enormous_line_is_read_in_bounded_pieces(tmp_path, monkeypatch):
    """No line longer than MAX_LINE_CHARS is held, no sentence longer than MAX_SENTENCE_WORDS is trained on."""
    monkeypatch.setattr(reader, "MAX_LINE_CHARS", 4000)
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1000)
    monkeypatch.setattr(reader, "MAX_SENTENCE_WORDS", 50)
    words = [f"w{i % 97}" for i in range(20_000)]
    path = write_text(tmp_path / "one-line.txt", " ".join(words) + "\n")
    lines = list(CorpusReader(path).lines())
    assert max(map(len, lines)) <= 4000 and " ".join(lines).split() == words   # cut at spaces: no word split
    corpus = read_corpus(path)
    assert max(map(len, corpus.sentences)) == 50 and sum(corpus.sentences, []) == words
    assert corpus.summary.cut_lines == len(lines) - 1 and corpus.summary.cut_sentences == len(lines)
    no_spaces = write_text(tmp_path / "no-spaces.txt", "x" * 10_000)
    assert [len(s[0]) for s in read_corpus(no_spaces).sentences] == [4000, 4000, 2000]


def test_a_character_and_a_crlf_split_across_blocks_read_as_one(tmp_path, monkeypatch):
    text = "Café’s heron\r\nwaits by the río\r\n" * 50
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    whole = read_corpus(path).sentences
    monkeypatch.setattr(reader, "BLOCK_BYTES", 7)                # every 7 bytes: splits é, ’, í and CRLFs
    assert read_corpus(path).sentences == whole == [["café's", "heron"], ["waits", "by", "the", "río"]] * 50


def cpu_seconds(path, repeat: int = 2) -> float:
    """The least CPU time of this process to read the file (CPU time: other processes' load does not count)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        list(CorpusReader(path))
        best = min(best, time.process_time() - started)
    return best


HOSTILE = {   # what is repeated, and how often in the smaller file (main took 10-11x for 4x of each of the first two)
    "alternating START/END markers": ("*** START OF THE PROJECT GUTENBERG EBOOK X ***\nthe heron waits\n"
                                      "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n", 2000),
    "Mr. repeated in one paragraph": ("Mr. Heron ", 4000),
    "a header title line every other line": ("The Project Gutenberg eBook of X\nthe heron waits\n", 2000),
}


@pytest.mark.parametrize(("unit", "times"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_repetitions_cost_time_in_proportion_to_the_file(tmp_path, unit, times):
    """A complexity check, not a time limit: 4x the input costs about 4x the CPU time, where a quadratic rule
    (main's marker list slicing, its "Mr." look-back) costs 10-16x. bench/corpus_read.py --hostile times them."""
    small = write_text(tmp_path / "small.txt", unit * times)
    large = write_text(tmp_path / "large.txt", unit * times * 4)
    assert cpu_seconds(large) < 8 * cpu_seconds(small)
