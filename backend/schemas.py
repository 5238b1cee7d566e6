"""Pydantic models for every request and response body (they also make /openapi.json precise)."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from backend import settings
from backend.settings import MAX_TEXT_BYTES

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Message(BaseModel):
    message: str


class ErrorBody(BaseModel):
    detail: Message | dict | str


class RunSummary(BaseModel):
    name: str
    status: Literal["ok", "broken"]
    error: str | None = None
    kind: str | None = None
    corpus: str | None = None
    vocab_size: int | None = None
    dim: int | None = None
    steps: int | None = None
    recorded_steps: int | None = None
    created: str | None = None
    diverged: bool = False  # a teaching run kept after its loss stopped being finite (run.json's `diverged`)


class RunList(BaseModel):
    runs: list[RunSummary]


Word = Annotated[str, Field(min_length=1, max_length=100)]
Step = Annotated[int | None, Field(ge=1, le=10**9, description="a recorded step; omit for the final weights")]
K = Annotated[int, Field(ge=1, le=100)]
Metric = Literal["cosine", "euclidean"]


class NeighborsQuery(BaseModel):
    word: Word
    k: K = 10
    metric: Metric = "cosine"
    step: Step = None


class AnalogyQuery(BaseModel):
    a: Word
    b: Word
    c: Word
    k: K = 5
    step: Step = None


class SimilarityQuery(BaseModel):
    a: Word
    b: Word
    step: Step = None


class ScoredWord(BaseModel):
    word: str
    score: float


class NeighborsResponse(BaseModel):
    run: str
    word: str
    step: int | None = Field(description="the recorded step queried; null = final weights")
    metric: Metric
    neighbors: list[ScoredWord]


class AnalogyResponse(BaseModel):
    run: str
    a: str
    b: str
    c: str
    step: int | None
    method: Literal["3CosAdd"] = "3CosAdd"
    results: list[ScoredWord]


class SimilarityResponse(BaseModel):
    run: str
    a: str
    b: str
    step: int | None
    cosine: float
    euclidean: float
    dot: float


class TokenizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description=f"at most {MAX_TEXT_BYTES:,} bytes of UTF-8; larger texts get 413")
    tokenizer: str = "default"
    merges: int | None = Field(default=None, ge=0, description="use only the first k merges (default: all)")

    @field_validator("text")
    @classmethod
    def well_formed(cls, text: str) -> str:
        """JSON can smuggle in a lone surrogate ("\\ud800"); it is not text and cannot be sent back as UTF-8."""
        if not text.isascii() and LONE_SURROGATE.search(text):
            raise ValueError("text contains an unpaired surrogate (U+D800 to U+DFFF), which is not valid Unicode")
        return text


class TextStats(BaseModel):
    tokens: int
    characters: int
    words: int
    chars_per_token: float
    avg_token_bytes: float
    tokens_per_word: float
    tokens_per_char: float = Field(default=0.0, description="the measure for text whose words are not space-separated")
    words_spaced: bool = Field(default=True, description="false when most letters are in scripts written "
                                                         "without spaces (Chinese, Japanese, Thai)")


class TokenizeResponse(BaseModel):
    """Tokens as parallel columns (one entry per token, as in Hugging Face's Encoding): 41% of the
    bytes of one object per token for 1 KB of prose, and built without a Python loop per token."""
    tokenizer: str
    merges_used: int
    merges_total: int
    ids: list[int]
    tokens: list[str] = Field(description="vocabulary text of each token, e.g. 'ing</w>' or '<0xE4>'")
    texts: list[str] = Field(description="the input each token covers: text[starts[i]:ends[i]] (code points)")
    starts: list[int]
    ends: list[int]
    merge_ranks: list[int | None] = Field(
        description="1-based rank of the merge that created each token; null for base symbols")
    stats: TextStats


class DecodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int]
    tokenizer: str = "default"


class DecodeResponse(BaseModel):
    tokenizer: str
    text: str


class TokenizerSummary(BaseModel):
    name: str
    vocab_size: int
    base_size: int
    merges: int
    corpus: str | None = None
    kind: Literal["learned", "reference"] = Field(
        default="learned", description="learned here (data/tokenizers), or a reference one: GPT-2, GPT-4, GPT-4o")
    label: str | None = Field(default=None, description="a reference tokenizer's name, e.g. GPT-4 (cl100k_base)")
    pattern_note: str | None = Field(default=None, description="how a reference tokenizer's pieces differ from ours")


class BrokenEntry(BaseModel):
    name: str
    error: str


class TokenizerList(BaseModel):
    tokenizers: list[TokenizerSummary]
    broken: list[BrokenEntry] = Field(default=[], description="tokenizer files that cannot be loaded, and why")
    not_installed: list[BrokenEntry] = Field(default=[], description="reference tokenizers whose rank files are "
                                                                     "absent, and how to install them")


class MergeOut(BaseModel):
    rank: int
    left: str
    right: str
    token: str
    id: int
    count: int | None = Field(description="times the pair occurred in the training text when it was merged; "
                                          "null for a reference tokenizer (its rank file holds no counts)")


class TokenizerDetail(TokenizerSummary):
    merge_history: list[MergeOut] = Field(description="every merge in order; empty for a reference tokenizer "
                                                      "(use /merges, a page at a time)")


class MergeApplied(MergeOut):
    times: int = Field(description="times this merge joined its pair in the text")
    tokens_before: int = Field(description="the text's tokens before this merge (merges before it applied)")
    tokens_after: int


class MergesAppliedResponse(BaseModel):
    tokenizer: str
    merges_used: int
    base_tokens: int = Field(description="the text's tokens with no merges (base symbols)")
    tokens: int = Field(description="the text's tokens once every listed merge applied")
    applied: list[MergeApplied] = Field(description="the merges that changed the text, by rank (at most 300)")
    applied_total: int


class EfficiencyRow(BaseModel):
    merges: int
    vocab_size: int
    tokens_per_sentence: float
    chars_per_token: float


class DomainRow(TextStats):
    domain: str
    tokens_per_100_chars: float


class PathologicalRow(BaseModel):
    name: str
    text: str
    tokens: list[str]
    count: int


class TokenizerAnalysis(BaseModel):
    tokenizer: str
    cross_domain: list[DomainRow]
    pathological: list[PathologicalRow]
    vocab_efficiency: list[EfficiencyRow]


# ---- the explorer page (backend/routes/explorer.py) ----

MAX_QUERY_WORDS = 12        # neighbors: query words side by side
MAX_MATRIX_WORDS = 60       # similarity matrix: a 60 × 60 heatmap is the most a page shows legibly
WordList = Annotated[list[Word], Field(min_length=1)]


class NeighborsBatchQuery(BaseModel):
    words: Annotated[WordList, Field(max_length=MAX_QUERY_WORDS)]
    k: K = 10
    metric: Metric = "cosine"
    step: Step = None


class NeighborColumn(BaseModel):
    word: str
    neighbors: list[ScoredWord]


class NeighborsBatchResponse(BaseModel):
    run: str
    step: int | None
    metric: Metric
    columns: list[NeighborColumn]


class SimilarityMatrixQuery(BaseModel):
    words: Annotated[WordList, Field(max_length=MAX_MATRIX_WORDS)]
    order: Literal["input", "cluster"] = Field(
        default="cluster", description="cluster: reorder by hierarchical clustering so blocks show")
    step: Step = None


class SimilarityMatrixResponse(BaseModel):
    run: str
    step: int | None
    words: list[str] = Field(description="the distinct words asked for, in the order of the matrix")
    matrix: list[list[float]] = Field(description="cosine similarity, 3 decimals (as similarity.json)")


# ---- the token page's lessons (backend/routes/tokenize.py, trainer/bpe/analysis.py) ----

class ProgressionRow(EfficiencyRow):
    tokens: int = Field(description="tokens of the held-out text with the first `merges` merges")
    tokens_per_word: float


class LearnedMerge(MergeOut):
    uses: int | None = Field(default=None, description="times the token occurs in the held-out text (all merges)")


class TokenLengths(BaseModel):
    characters: list[int] = Field(description="characters[n]: vocabulary tokens n characters long (byte tokens "
                                              "left out, the end-of-piece marker not counted)")
    bytes: list[int] = Field(description="the same tokens by length in UTF-8 bytes")


class TokenizerLessons(BaseModel):
    """What the token page teaches about a tokenizer: measured on its held-out lines when it was built
    (merge progression, most used subwords) or read from its vocabulary and merges."""
    tokenizer: str
    merges_total: int
    base_size: int
    held_out_lines: int
    merge_progression: list[ProgressionRow] = Field(
        description="held-out text with the first k merges, k from 0 to all; empty for a tokenizer built "
                    "without held-out lines or by an older wordlab")
    token_lengths: TokenLengths
    first_merges: list[LearnedMerge]
    frequent_subwords: list[LearnedMerge]


class PipelinePiece(BaseModel):
    text: str = Field(description="the piece as the pre-tokenizer cut it, leading space included")
    start: int = Field(description="character offset of the piece in the text")
    symbols: list[str] = Field(description="the piece as base symbols: characters, or bytes for unseen ones")
    tokens: list[str] = Field(description="the piece's tokens after the merges")


class PipelineResponse(BaseModel):
    tokenizer: str
    merges_used: int
    pieces: list[PipelinePiece]
    pieces_total: int = Field(description="pieces in the whole text; at most the first 400 are listed")
# ---- the share control (backend/routes/share.py) ----

class ShareInfo(BaseModel):
    host: str | None = Field(description="the address the server listens on; null when it was not started "
                                         "by `wordlab serve` (then it is unknown)")
    port: int | None
    lan: bool = Field(description="whether other computers on the network can open it")
    urls: list[str] = Field(description="base URLs students can open (this machine's LAN addresses)")
    message: str = Field(description="what to tell the instructor: how students join, or how to restart")


# ---- the live classroom (backend/routes/live.py) ----

def well_formed_text(text: str) -> str:
    """Refuses a lone surrogate, which JSON can carry but UTF-8 cannot (it could not be stored or sent on)."""
    if not text.isascii() and LONE_SURROGATE.search(text):
        raise ValueError("text contains an unpaired surrogate (U+D800 to U+DFFF), which is not valid Unicode")
    return text


def LiveText(max_length: int, min_length: int = 0, **kwargs):  # noqa: N802 - a type
    return Annotated[str, Field(min_length=min_length, max_length=max_length, **kwargs),
                     AfterValidator(well_formed_text)]


Finite = Annotated[float, Field(allow_inf_nan=False)]
AskId = Annotated[str, Field(pattern=r"^[0-9a-f]{8}$", description="the id the server gave the asked question")]


class LiveStatus(BaseModel):
    session: str | None = Field(description="the live class's id; null when no class is live")
    started: float | None = Field(default=None, description="when it started (Unix time)")
    connected: int = Field(description="pages with the class's event stream open, the leader's not counted")


class LiveSession(BaseModel):
    session: str
    started: float


class LiveView(BaseModel):
    """What the leader's page shows: followers go to path + query + hash and take state's fields."""
    model_config = ConfigDict(extra="forbid")
    path: LiveText(200, 1, pattern=r"^/([A-Za-z0-9._~-][A-Za-z0-9._~/-]*)?$")
    query: LiveText(settings.LIVE_MAX_STATE_BYTES, pattern=r"^(\?.*)?$") = ""
    hash: LiveText(200, pattern=r"^(#.*)?$") = ""
    state: dict | None = Field(default=None, description="the page's state fields (frontend/js/pagestate.js); "
                                                         "null on a page without one")


class Seq(BaseModel):
    seq: int


class LiveChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: LiveText(200, 1)
    label: LiveText(200, 1)


class LiveQuestion(BaseModel):
    """A page's question (frontend/js/questions.js), with its right answer: students never see the answer
    or the reason before the reveal."""
    model_config = ConfigDict(extra="forbid")
    id: LiveText(200, 1)
    prompt: LiveText(1000, 1)
    kind: Literal["choice", "number"]
    choices: list[LiveChoice] = Field(default=[], max_length=settings.LIVE_MAX_CHOICES)
    answer: LiveText(200, 1) | Finite
    reason: LiveText(2000) = ""

    @model_validator(mode="after")
    def answerable(self):
        if self.kind == "choice":
            values = [c.value for c in self.choices]
            if len(values) < 2 or len(set(values)) != len(values):
                raise ValueError("a choice question needs at least two choices with different values")
            if self.answer not in values:
                raise ValueError("the answer must be one of the choices' values")
        elif self.choices or isinstance(self.answer, str):
            raise ValueError("a number question has no choices and a number for its answer")
        return self


class AskRequest(BaseModel):
    question: LiveQuestion


class Asked(BaseModel):
    ask: AskId


class StudentToken(BaseModel):
    student: str = Field(description="this browser's anonymous token for its answers (keep it; send it back)")


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ask: AskId
    student: LiveText(64, 1)
    value: LiveText(200, 1) | Finite
    nickname: LiveText(settings.LIVE_MAX_NICKNAME) | None = Field(
        default=None, description="optional, shown as plain text beside right answers at the reveal")


class Answered(BaseModel):
    counted_as: str = Field(description="the answer as it is counted (a choice's value, or the number)")


class ShareQRRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: LiveText(4000, 1)


class ShareQR(BaseModel):
    version: int = Field(description="1-40: the code is 17 + 4 × version modules a side")
    error: str = Field(description="error correction level, M or better")
    size: int
    rows: list[str] = Field(description="one string per row, '1' a dark module, '0' a light one; no quiet zone")
