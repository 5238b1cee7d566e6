"""Training a BPE from the token page, through the API: the same merges as `wordlab tokenizer train` on the
same text, candidate counts equal to a naive recount, the limits, and saving only where it may."""

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from fastapi.testclient import TestClient

from backend import settings
from backend.app import create_app
from backend.errors import Busy
from backend.routes.bpe import STALE_HOLD_SECONDS
from backend.training_pool import TrainingPool
from tests.processes import wait_until_gone
from trainer.bpe import reference
from trainer.bpe.build import split_held_out
from trainer.bpe.pretokenize import split_pieces
from trainer.bpe.replay import CANDIDATES, TrainingTooLong, train_for_replay
from trainer.bpe.train import base_symbols, merge_pair, piece_symbols
from trainer.config import DEFAULT_CORPUS, resolve_corpus

TEXT = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8") + "\n".join(
    ["Ünïcode lines: naïve café, 東京, 🎉 and ok.", "  indented   spaces\tand tabs", "aaaa aaaa aaaa"] * 5)
MERGES = 120


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    return tmp_path_factory.mktemp("runs"), tmp_path_factory.mktemp("tokenizers")


@pytest.fixture(scope="module")
def client(dirs):
    with TestClient(create_app(*dirs)) as client:
        yield client


@pytest.fixture(scope="module")
def trained(client):
    answer = client.post("/api/bpe/train", json={"text": TEXT, "merges": MERGES})
    assert answer.status_code == 200, answer.text
    return answer.json()


def cli_tokenizer(tmp_path, text: str, vocab_size: int) -> dict:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "backend.cli", "tokenizer", "train", "--corpus", str(corpus), "--vocab-size",
                    str(vocab_size), "--name", "cli", "--out", str(tmp_path), "--quiet"], check=True, capture_output=True)
    return orjson.loads((tmp_path / "cli.json").read_bytes())


def test_merges_equal_the_clis_on_the_same_text(trained, tmp_path):
    cli = cli_tokenizer(tmp_path, TEXT, trained["base_size"] + MERGES)
    assert cli["vocab"] == trained["vocab"]
    assert [m[:4] for m in cli["merges"]] == [[m["left"], m["right"], m["id"], m["count"]] for m in trained["merges"]]


def test_each_merges_candidates_are_a_naive_recount(trained):
    """Recounting every pair from scratch before merge r (the first r - 1 merges applied to the text's
    pieces, rebuilt here from the text) gives the table the page shows, its winner first."""
    training, _ = split_held_out(TEXT)
    pieces = Counter(split_pieces(training))
    ids = {s: i for i, s in enumerate(base_symbols(pieces))}
    symbols = [piece_symbols(p, ids) for p in pieces]
    assert symbols == trained["pieces"] and list(pieces.values()) == trained["counts"]
    counts = list(pieces.values())
    for merge in trained["merges"]:
        recount = reference.pair_counts(symbols, counts)
        top = sorted(recount.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]
        assert [(c["left"], c["right"], c["count"]) for c in merge["candidates"]] == [(a, b, n) for (a, b), n in top]
        assert (merge["left"], merge["right"], merge["count"]) == (*top[0][0], top[0][1])
        symbols = [merge_pair(s, merge["left"], merge["right"], merge["id"]) for s in symbols]
    assert all(0 <= i < len(trained["pieces"]) for i in trained["preview"])


def test_a_corpus_can_be_picked_by_name_only(client):
    assert {"name": "teaching.txt", "bytes": resolve_corpus(DEFAULT_CORPUS).stat().st_size} in \
        client.get("/api/bpe/corpora").json()
    assert client.post("/api/bpe/train", json={"corpus": "teaching.txt", "merges": 5}).status_code == 200
    for name in ("../../pyproject.toml", "/etc/passwd", "teaching"):
        assert client.post("/api/bpe/train", json={"corpus": name, "merges": 5}).status_code == 404


def test_requests_are_bounded(client):
    too_long = "word " * (settings.MAX_TEXT_BYTES // 5 + 1)
    assert client.post("/api/bpe/train", json={"text": too_long, "merges": 5}).status_code == 413
    assert client.post("/api/bpe/train", json={"text": "abc", "merges": settings.BPE_TRAIN_MAX_MERGES + 1}).status_code == 422
    assert client.post("/api/bpe/train", json={"text": "abc", "corpus": "teaching.txt", "merges": 5}).status_code == 422
    assert client.post("/api/bpe/train", json={"text": "", "merges": 5}).status_code == 400
    with pytest.raises(TrainingTooLong, match="at most 0 s"):
        train_for_replay(TEXT, 50, seconds=0)


def test_a_busy_worker_refuses_at_once_instead_of_queueing_without_end():
    async def two_at_once():
        pool = TrainingPool(processes=1, waiting=0)
        try:
            first = asyncio.ensure_future(pool.run(train_for_replay, TEXT, 10, 30.0))
            await asyncio.sleep(0)   # let the first take the only place (no waiting on time: one loop turn)
            with pytest.raises(Busy, match="try again"):
                await pool.run(train_for_replay, TEXT, 10, 30.0)
            assert len((await first)["merges"]) == 10
        finally:
            pool.close()

    with ThreadPoolExecutor(1) as thread:   # a loop of its own: a browser test may hold this thread's loop
        thread.submit(asyncio.run, two_at_once()).result()


def test_save_writes_a_named_tokenizer_equal_to_the_clis(client, dirs, trained, tmp_path):
    _, tokenizers = dirs
    answer = client.post("/api/bpe/save", json={"text": TEXT, "merges": MERGES, "name": "my-bpe"})
    assert answer.status_code == 201 and answer.json()["merges"] == MERGES
    saved = orjson.loads((tokenizers / "my-bpe.json").read_bytes())
    assert saved["merges"] == cli_tokenizer(tmp_path, TEXT, trained["base_size"] + MERGES)["merges"]
    assert "my-bpe" in [t["name"] for t in client.get("/api/tokenizers").json()["tokenizers"]]
    ids = client.post("/api/tokenize", json={"text": "the king", "tokenizer": "my-bpe"}).json()["ids"]
    assert ids and max(ids) < saved["settings"]["vocab_size"]


@pytest.mark.parametrize(("name", "status"), [("my-bpe", 409), ("default", 409), ("cl100k_base", 409),
                                                ("../escape", 400), ("a/b", 400), (".hidden", 400), ("x" * 65, 400)])
def test_save_refuses_taken_reserved_and_escaping_names(client, dirs, name, status):
    _, tokenizers = dirs
    before = sorted(p.name for p in tokenizers.parent.rglob("*"))
    answer = client.post("/api/bpe/save", json={"text": "some text to train on", "merges": 3, "name": name})
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]["message"]
    if name != "my-bpe":
        assert sorted(p.name for p in tokenizers.parent.rglob("*")) == before


def test_a_corpus_start_is_read_bounded_without_gutenbergs_header(tmp_path):
    from trainer.bpe.replay import corpus_start
    from trainer.errors import CorpusError

    book = tmp_path / "book.txt"
    header = "The Project Gutenberg eBook of Test\r\nlicence words\r\n*** START OF THE PROJECT GUTENBERG EBOOK TEST ***\r\n"
    book.write_bytes((header + "First line of the book.\r\nSecond line, café.\r\n" + "more words " * 50).encode())
    text = corpus_start(book, 120 + len(header))
    assert text.startswith("First line of the book.\nSecond line, café.") and "Gutenberg" not in text
    assert "more words" not in text   # the line the limit cut through is left out
    book.write_bytes("naïve\n".encode("cp1252"))
    assert corpus_start(book, 1000) == "naïve\n"
    book.write_bytes(b"text\0binary")
    with pytest.raises(CorpusError, match="binary"):
        corpus_start(book, 1000)


def test_two_saves_of_one_new_name_at_once_keep_the_first_and_refuse_the_second(client, dirs):
    """The name is held while the first save trains (as another server worker would see it), so the second is
    refused instead of overwriting; a hold left by a killed worker long ago does not block the name."""
    _, tokenizers = dirs
    hold = tokenizers / ".twice.saving"
    hold.touch()
    answer = client.post("/api/bpe/save", json={"text": TEXT, "merges": 5, "name": "twice"})
    assert answer.status_code == 409 and "being saved" in answer.json()["detail"]["message"]
    assert not (tokenizers / "twice.json").exists() and hold.exists()
    old = time.time() - 2 * STALE_HOLD_SECONDS
    os.utime(hold, (old, old))
    assert client.post("/api/bpe/save", json={"text": TEXT, "merges": 5, "name": "twice"}).status_code == 201
    assert (tokenizers / "twice.json").exists() and not hold.exists()


WARM_POOL = """
import os, sys
from backend.training_pool import TrainingPool
pool = TrainingPool()
pool.warm()
print(pool._pool().submit(os.getpid).result(), flush=True)
sys.stdin.read()
"""


def test_the_training_process_exits_when_its_worker_is_killed():
    """A worker killed by SIGKILL never shuts its pool down: its training process must notice and go."""
    worker = subprocess.Popen([sys.executable, "-c", WARM_POOL], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    training = int(worker.stdout.readline())
    assert training != worker.pid and os.path.exists(f"/proc/{training}")
    worker.kill()
    worker.wait()
    wait_until_gone([training], seconds=20)   # its pidfd turns readable when it exits
