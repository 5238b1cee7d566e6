"""GPT-2, GPT-4 and GPT-4o's tokenizers as the app encodes them (trainer/bpe/bytelevel.py over the shipped
rank files), against tiktoken reading the same files (its cache pointed at them, so it checks their hash
too): the same ids for several hundred strings, with no network."""

import base64
import io
import random
import subprocess
import sys
import tarfile

import orjson
import pytest

from trainer.bpe.bytelevel import SHORT_PIECE, merge_piece
from trainer.bpe.gpt_tokenizers import REFERENCE_DIR, REFERENCES, install_references, load_reference, tiktoken_path
from trainer.errors import Broken, NotFound

NAMES = list(REFERENCES)

PROSE = ["The monster approached with terrifying deliberation.", "It was a dark and stormy night; the rain fell.",
         "\"Don't,\" she said. \"We'll see — I'M NOT sure it's wise.\"", "Naïve café owners déjà vu.",
         "Mr. O'Neill's 3rd-floor flat costs £1,250/month (about $1,600)."]
CODE = ["def f(x):\n    return x**2  # square\n", "for (let i = 0; i < n; i++) { sum += a[i]; }",
        "if __name__ == '__main__':\n\tmain()\r\n", "SELECT * FROM users WHERE id=42;", "getHTTPResponseCode()",
        "snake_case_name = CamelCaseName + ALLCAPS", "<div class=\"x\">&amp;</div>"]
EMOJI = ["🎉👍", "👩‍👩‍👧‍👦", "🇯🇵🇫🇷", "🦩🥟🫠", "👍🏽", "❤️", "e\u0301 a\u0308"]
CJK = ["東京は日本の首都です。", "北京是中国的首都。", "한국어 텍스트", "ひらがなとカタカナ", "中文，标点！"]
SPACES = ["   ", "\n\n\n", "\t\t", " \n \n", "  leading", "trailing   ", "a  b   c    d", "\r\n\r\n", "\u00a0\u2003x",
          " " * 60 + "x"]
NUMBERS = ["1234567890", "3.14159", "1,000,000", "0.000314%", "2026-12-04T15:00:00Z", "+1 (555) 867-5309"]
FRAGMENTS = PROSE + CODE + EMOJI + CJK + SPACES + NUMBERS


def sample_strings() -> list[str]:
    """Every fragment alone, and 300 seeded mixes of them joined by whitespace runs; some long pieces."""
    rng = random.Random(26)
    joins = [" ", "", "\n", "  ", "\t", " \n  "]
    mixes = ["".join(rng.choice(FRAGMENTS) + rng.choice(joins) for _ in range(rng.randint(1, 6))) for _ in range(300)]
    long = ["a" * (SHORT_PIECE * 4), "ab" * 200, "🦩" * 40, "x" + " " * 300, "0123456789" * 30, "déjà" * 50]
    return FRAGMENTS + mixes + long


STRINGS = sample_strings()


@pytest.fixture(scope="module")
def references():
    return {name: load_reference(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_ids_equal_tiktokens_for_hundreds_of_strings(references, tiktoken_encodings, name):
    ours, theirs = references[name], tiktoken_encodings[name]
    assert len(STRINGS) >= 300
    for text in STRINGS:
        assert ours.encode(text) == theirs.encode(text, disallowed_special=()), (name, text)


@pytest.mark.parametrize("name", NAMES)
def test_tokens_tile_the_text_and_decode_back(references, tiktoken_encodings, name):
    ours = references[name]
    for text in STRINGS[::7]:
        encoding = ours.encode_detailed(text)
        assert "".join(encoding.texts) == text
        assert all(text[a:b] == t for a, b, t in zip(encoding.starts, encoding.ends, encoding.texts, strict=True))
        assert ours.decode(encoding.ids) == text
        assert [tiktoken_encodings[name].decode_single_token_bytes(i) for i in encoding.ids] == \
            [ours.token_bytes(i) for i in encoding.ids]


def test_pieces_are_the_patterns_and_differ_from_ours_where_the_notes_say(references):
    from trainer.bpe.pretokenize import split_pieces

    assert references["r50k_base"].pieces("   x") == ["  ", " x"] and split_pieces("   x") == ["   ", "x"]
    assert references["cl100k_base"].pieces("1234567") == ["123", "456", "7"]
    assert references["o200k_base"].pieces("CamelCase don't") == ["Camel", "Case", " don't"]
    for reference in references.values():
        for text in STRINGS[::11]:
            assert "".join(reference.pieces(text)) == text


def test_a_merge_count_limits_the_ranks_that_may_join(references):
    gpt4 = references["cl100k_base"]
    text = "The monster approached with terrifying deliberation."
    counts = [len(gpt4.encode(text, k)) for k in (0, 10, 100, 1000, 10000, len(gpt4.merges))]
    assert counts[0] == len(text.encode()) and counts == sorted(counts, reverse=True) and counts[-1] < 12
    assert all(i < 256 + 100 for i in gpt4.encode(text, 100))


def test_long_pieces_merge_as_short_ones_do(references):
    """The heap (pieces over SHORT_PIECE bytes) against the scan, on the same piece."""
    ranks = references["o200k_base"]._ranks
    for piece in ["déjàvu" * 20, "ab" * 100, "🦩" * 30, "x" * 200]:
        data = piece.encode()
        heap = merge_piece(ranks, data, 1 << 40)
        parts = [data[i:i + 1] for i in range(len(data))]
        while True:  # the scan, written out: lowest rank, leftmost
            found = [(ranks.get(parts[i] + parts[i + 1], 1 << 62), i) for i in range(len(parts) - 1)]
            if not found or min(found)[0] >= 1 << 62:
                break
            _, i = min(found)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        assert len(data) > SHORT_PIECE and heap == parts


def test_piece_caches_are_bounded_in_bytes_and_keep_no_long_piece():
    """A 99 KB run of letters is one piece of GPT's patterns: encoded, never kept; many distinct pieces
    never hold more than the cache's byte budget (#22: caches bounded by measured bytes)."""
    from trainer.bpe.tokenizer import LONG_UNIT

    tok = load_reference("r50k_base")
    long_piece = "q" * 99_000
    assert tok.encode(long_piece) == tok.encode(long_piece)
    cache = tok._cache(tok._limit(None))
    assert long_piece not in cache and all(len(piece) <= LONG_UNIT for piece in cache)
    cache.budget = 64 << 10
    for i in range(20_000):
        tok.encode(f" word{i}xyz")
        assert cache.bytes <= cache.budget
    assert 0 < len(cache) < 20_000


def test_merge_records_name_the_pair_each_token_joins(references):
    gpt2 = references["r50k_base"]
    first = gpt2.merge_record(0)
    assert first["rank"] == 1 and first["id"] == 256 and first["count"] is None
    assert first["left"] + first["right"] == first["token"]
    for index in (0, 5, 500, 40000):
        record = gpt2.merge_record(index)
        assert gpt2.encode(record["token"], index) != [record["id"]]   # not yet made with the merges before it
        assert record["left"] + record["right"] == record["token"]


def test_they_load_with_no_network():
    """In a fresh interpreter whose sockets all fail: loading and encoding still work."""
    script = ("import socket\n"
              "def refuse(*a, **k): raise OSError('no network in this test')\n"
              "socket.socket = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
              "from trainer.bpe.gpt_tokenizers import load_reference\n"
              "for name in ('r50k_base', 'cl100k_base', 'o200k_base'):\n"
              "    assert load_reference(name).encode('hello world') , name\n"
              "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_a_changed_rank_file_is_refused(tmp_path):
    data = tiktoken_path("r50k_base").read_bytes()
    (tmp_path / "r50k_base.tiktoken").write_bytes(data.replace(b" 300\n", b" 301\n", 1))
    with pytest.raises(Broken, match="SHA-256"):
        load_reference("r50k_base", tmp_path)
    with pytest.raises(NotFound, match="make references"):
        load_reference("cl100k_base", tmp_path)
    with pytest.raises(NotFound):
        load_reference("../r50k_base", tmp_path)


def package_tarball(path, names=NAMES, tamper=False):
    """An npm tarball laid out as tiktoken's package, written from the installed files (the format the
    installer reads: "! OFFSET TOKEN TOKEN ...")."""
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            lines = tiktoken_path(name).read_bytes().decode().splitlines()
            tokens = [line.split(" ")[0] for line in lines]
            if tamper:
                tokens[300] = base64.b64encode(b"tampered").decode()
            encoder = orjson.dumps({"pat_str": REFERENCES[name].pattern, "special_tokens": {},
                                    "bpe_ranks": "! 0 " + " ".join(tokens)})
            member = tarfile.TarInfo(f"package/encoders/{name}.json")
            member.size = len(encoder)
            archive.addfile(member, io.BytesIO(encoder))
    return path


def test_install_writes_openais_files_from_the_package_and_refuses_others(tmp_path):
    written = install_references(package_tarball(tmp_path / "good.tgz"), tmp_path / "out")
    assert [p.read_bytes() for p in written] == [tiktoken_path(n, REFERENCE_DIR).read_bytes() for n in NAMES]
    with pytest.raises(Broken, match="SHA-256"):
        install_references(package_tarball(tmp_path / "bad.tgz", tamper=True), tmp_path / "bad")
    assert not list((tmp_path / "bad").glob("*.tiktoken"))


# ---- through the API: the same ids, pieces, merges; reference names listed without loading them ----

@pytest.fixture(scope="module")
def client(tmp_path_factory, project_default):
    from fastapi.testclient import TestClient

    from backend.app import create_app

    tokenizers = tmp_path_factory.mktemp("tokenizers")
    (tokenizers / "default.json").write_bytes(project_default.path.read_bytes())
    return TestClient(create_app(tmp_path_factory.mktemp("runs"), tokenizers))


@pytest.mark.parametrize("name", NAMES)
def test_the_api_answers_tiktokens_ids(client, tiktoken_encodings, name):
    for text in STRINGS:
        answer = client.post("/api/tokenize", json={"text": text, "tokenizer": name}).json()
        assert answer["ids"] == tiktoken_encodings[name].encode(text, disallowed_special=()), text
        assert "".join(answer["texts"]) == text and answer["merges_total"] == REFERENCES[name].ranks - 256


def test_references_are_listed_and_explained(client):
    listed = {t["name"]: t for t in client.get("/api/tokenizers").json()["tokenizers"]}
    for name, reference in REFERENCES.items():
        assert listed[name]["kind"] == "reference" and listed[name]["label"] == reference.label
        assert listed[name]["vocab_size"] == reference.ranks and listed[name]["pattern_note"]
    assert listed["default"]["kind"] == "learned"
    lessons = client.get("/api/tokenizers/cl100k_base/lessons").json()
    assert lessons["merge_progression"] == [] and lessons["first_merges"][0]["id"] == 256
    assert sum(lessons["token_lengths"]["bytes"]) == REFERENCES["cl100k_base"].ranks - 256
    detail = client.get("/api/tokenizers/o200k_base").json()
    assert detail["merge_history"] == [] and detail["merges"] == REFERENCES["o200k_base"].ranks - 256
    page = client.get("/api/tokenizers/o200k_base/merges", params={"first": 1000, "count": 3}).json()
    assert [m["rank"] for m in page] == [1000, 1001, 1002] and all(m["left"] + m["right"] == m["token"] for m in page)
    assert client.get("/api/tokenizers/o200k_base/merges", params={"count": 100_000}).status_code == 422


def test_the_pipeline_shows_each_references_own_pieces(client, references):
    text = "CamelCase   don't 1234567\n\n"
    for name, reference in references.items():
        answer = client.post("/api/tokenize/pipeline", json={"text": text, "tokenizer": name}).json()
        assert [p["text"] for p in answer["pieces"]] == reference.pieces(text)
        for piece in answer["pieces"]:
            assert len(piece["symbols"]) == len(piece["text"].encode())   # bytes are the base symbols


@pytest.mark.parametrize("name", ["default", "cl100k_base"])
def test_the_merges_that_changed_a_text_account_for_every_token(client, references, project_default, name):
    tokenizer = references.get(name) or project_default.tokenizer
    text = "The monster approached with terrifying deliberation. The monster!"
    for merges in (0, 50, 2000, None):
        answer = client.post("/api/tokenize/merges", json={"text": text, "tokenizer": name, "merges": merges}).json()
        assert answer["tokens"] == len(tokenizer.encode(text, merges))
        rows = answer["applied"]
        assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
        assert answer["base_tokens"] - sum(r["times"] for r in rows) == answer["tokens"]
        for row in rows:
            assert row["tokens_before"] - row["times"] == row["tokens_after"]
            assert row["rank"] <= (merges if merges is not None else len(tokenizer.merges))
        if name == "default":   # a learned tokenizer's merges apply in rank order: the count after each is exact
            for row in rows[::3]:
                assert row["tokens_after"] == len(tokenizer.encode(text, row["rank"]))
