"""The token page's lessons, computed: the default tokenizer, held-out figures, token lengths, the pipeline,
and their routes (values against the encoder and the pre-tokenizer, bad files refused with a message)."""

from collections import Counter

import orjson
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.settings import MAX_TEXT_BYTES
from trainer.bpe.analysis import (
    FIRST_MERGES,
    LONG_PIECE_CHARS,
    held_out_rows,
    held_out_text,
    pipeline,
    progression_merges,
    subword_usage,
    token_counts,
    vocabulary_lengths,
)
from trainer.bpe.build import DEFAULT_MERGES, build_default_tokenizer, default_text, split_held_out
from trainer.bpe.pretokenize import END_OF_WORD, split_pieces

HOSTILE = ["", " ", "   leading and trailing   ", "tabs\tand\n\nnewlines\r\n", "東京は日本の首都です。",
           "I love 🍕 and 🎉🎉! 👩‍👩‍👧‍👦 🇯🇵", "déjà vu, naïve café", "x" * 300, "it's 1,000.50 -- ok?!",
           "def f(x):\n    return x**2  # square"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_default_tokenizer(tmp_path_factory.mktemp("default"), progress=False)


@pytest.fixture(scope="module")
def tokenizer(built):
    return built.tokenizer


def test_the_default_tokenizer_learns_thousands_of_merges_from_the_projects_own_text(built, tokenizer):
    text, files = default_text()
    assert len(tokenizer.merges) == DEFAULT_MERGES >= 2000
    assert tokenizer.meta["sources"] == files and "data/corpora/teaching.txt" in files
    assert {f.rsplit(".", 1)[-1] for f in files} >= {"txt", "md", "py", "js", "html"}
    assert tokenizer.meta["training_characters"] == len(split_held_out(text)[0])
    # Capitalised prose, digits and code got merges of their own: cuts look like a real tokenizer's.
    assert {"The</w>", " the</w>", "ing</w>", "ation</w>", "def</w>", "return</w>", "000</w>"} <= set(tokenizer.vocab)
    sentence = "The monster approached with terrifying deliberation."
    assert len(tokenizer.encode(sentence)) < len(sentence) / 2   # over two characters a token (letters alone: one)
    assert built.path.name == "default.json" and orjson.loads(built.path.read_bytes())["meta"] == tokenizer.meta


def test_held_out_figures_are_the_encoders_counts_on_the_held_out_lines(built, tokenizer):
    _, held_out = split_held_out(default_text()[0])
    text, lines = held_out_text(held_out)
    rows = tokenizer.meta["merge_progression"]
    assert [r["merges"] for r in rows] == progression_merges(len(tokenizer.merges))
    assert rows[0]["merges"] == 0 and rows[-1]["merges"] == len(tokenizer.merges) and len(rows) >= 20
    for row in rows[::5]:
        tokens = len(tokenizer.encode(text, row["merges"]))
        assert row["tokens"] == tokens and row["tokens_per_sentence"] == round(tokens / lines, 3)
        assert row["chars_per_token"] == round(len(text) / tokens, 3)
    assert [r["tokens"] for r in rows] == sorted((r["tokens"] for r in rows), reverse=True)
    assert held_out_rows(tokenizer, held_out, [rows[3]["merges"]]) == [rows[3]]
    uses = Counter(i for i in tokenizer.encode(text) if i >= tokenizer.base_size)
    assert tokenizer.meta["subword_usage"] == subword_usage(tokenizer, held_out)
    assert [(r["id"], r["uses"]) for r in tokenizer.meta["subword_usage"]] == \
        sorted(uses.items(), key=lambda item: (-item[1], item[0]))[:len(tokenizer.meta["subword_usage"])]


def test_token_counts_from_one_pass_equal_encoding_with_the_first_k_merges(tokenizer):
    """The savings-per-merge pass against the encoder at many merge counts, on prose, code, CJK, emoji and a
    piece long enough to be encoded per merge count."""
    text = "\n".join(HOSTILE) + " " + "ab" * LONG_PIECE_CHARS
    ks = list(range(0, len(tokenizer.merges) + 1, 97)) + [len(tokenizer.merges)]
    assert token_counts(tokenizer, text, ks) == [len(tokenizer.encode(text, k)) for k in ks]


def test_vocabulary_lengths_count_every_token_but_the_byte_tokens(tokenizer):
    lengths = vocabulary_lengths(tokenizer)
    texts = [t.removesuffix(END_OF_WORD) for t in tokenizer.vocab[256:]]
    assert sum(lengths["characters"]) == sum(lengths["bytes"]) == len(texts) == tokenizer.vocab_size - 256
    assert lengths["characters"][0] == 0 and lengths["bytes"][0] == 0
    for n in (1, 2, 5):
        assert lengths["characters"][n] == sum(len(t) == n for t in texts)
        assert lengths["bytes"][n] == sum(len(t.encode()) == n for t in texts)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("merges", [0, 40, None])
def test_pipeline_pieces_are_the_pretokenizers_and_their_tokens_the_whole_texts(tokenizer, text, merges):
    k = len(tokenizer.merges) if merges is None else merges
    answer = pipeline(tokenizer, text, k)
    pieces = split_pieces(text)
    assert [p["text"] for p in answer["pieces"]] == pieces and answer["pieces_total"] == len(pieces)
    assert [p["start"] for p in answer["pieces"]] == [len("".join(pieces[:i])) for i in range(len(pieces))]
    assert [t for p in answer["pieces"] for t in p["tokens"]] == tokenizer.encode_detailed(text, k).tokens
    assert [t for p in answer["pieces"] for t in p["symbols"]] == tokenizer.encode_detailed(text, 0).tokens
    for piece in answer["pieces"]:
        assert len(piece["tokens"]) <= len(piece["symbols"])


def test_pipeline_lists_at_most_its_limit_of_pieces(tokenizer):
    answer = pipeline(tokenizer, "a b " * 300, len(tokenizer.merges), limit=50)
    assert len(answer["pieces"]) == 50 and answer["pieces_total"] == len(split_pieces("a b " * 300)) == 601


@pytest.fixture(scope="module")
def client(built, tmp_path_factory):
    tokenizers = built.path.parent
    broken = orjson.loads(built.path.read_bytes())
    broken["meta"]["merge_progression"] = [{"merges": "many"}]
    (tokenizers / "odd.json").write_bytes(orjson.dumps(broken))
    older = orjson.loads(built.path.read_bytes())  # as an earlier wordlab wrote it: no progression, no usage
    for key in ("merge_progression", "subword_usage"):
        del older["meta"][key]
    (tokenizers / "older.json").write_bytes(orjson.dumps(older))
    return TestClient(create_app(tmp_path_factory.mktemp("no-runs"), tokenizers))


def test_lessons_route_serves_the_files_figures(client, tokenizer):
    lessons = client.get("/api/tokenizers/default/lessons").json()
    assert lessons["merge_progression"] == tokenizer.meta["merge_progression"]
    assert lessons["token_lengths"] == vocabulary_lengths(tokenizer)
    assert lessons["merges_total"] == len(tokenizer.merges) and lessons["base_size"] == tokenizer.base_size
    assert lessons["first_merges"] == [tokenizer.merge_record(r) | {"uses": None} for r in range(FIRST_MERGES)]
    assert [(m["id"], m["uses"]) for m in lessons["frequent_subwords"]] == \
        [(u["id"], u["uses"]) for u in tokenizer.meta["subword_usage"]]


def test_lessons_of_a_tokenizer_file_from_before_the_held_out_figures(client, tokenizer):
    lessons = client.get("/api/tokenizers/older/lessons").json()
    assert lessons["merge_progression"] == [] and lessons["frequent_subwords"] == []
    assert lessons["token_lengths"] == vocabulary_lengths(tokenizer) and len(lessons["first_merges"]) == FIRST_MERGES


def test_lessons_route_refuses_malformed_figures_with_a_message(client):
    response = client.get("/api/tokenizers/odd/lessons")
    assert response.status_code == 409
    assert "held-out figures are malformed" in response.json()["detail"]["message"]
    assert client.get("/api/tokenizers/nope/lessons").status_code == 404


def test_pipeline_route(client, tokenizer):
    text = "Victor felt  overwhelming remorse 🎉"
    answer = client.post("/api/tokenize/pipeline", json={"text": text, "merges": 100}).json()
    assert answer == {"tokenizer": "default", "merges_used": 100, **pipeline(tokenizer, text, 100)}
    assert client.post("/api/tokenize/pipeline", json={"text": "x" * (MAX_TEXT_BYTES + 1)}).status_code == 413
    assert client.post("/api/tokenize/pipeline", json={"text": "x", "tokenizer": "nope"}).status_code == 404
    assert client.post("/api/tokenize/pipeline", json={"text": "x", "merges": -1}).status_code == 422
