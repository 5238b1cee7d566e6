"""Tokenizers: list, merge history, analysis and lessons, live tokenize, the pipeline of one text, and decode."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from backend import settings
from backend.dependencies import get_references, get_tokenizers
from backend.jsonresponse import OrjsonResponse
from backend.routing import OrjsonRoute
from backend.schemas import (
    BrokenEntry,
    DecodeRequest,
    DecodeResponse,
    ErrorBody,
    MergeOut,
    MergesAppliedResponse,
    PipelineResponse,
    TokenizerAnalysis,
    TokenizerDetail,
    TokenizeRequest,
    TokenizeResponse,
    TokenizerLessons,
    TokenizerList,
    TokenizerSummary,
)
from backend.settings import MAX_IDS, MAX_TEXT_BYTES
from backend.tokenizers import ReferenceTokenizers, TokenizerRegistry
from trainer.bpe.analysis import (
    Tokenizer,
    cross_domain,
    learned_first,
    merges_applied,
    pathological,
    pipeline,
    text_stats,
    vocabulary_lengths,
)
from trainer.bpe.bytelevel import ByteLevelBPE
from trainer.bpe.gpt_tokenizers import REFERENCES
from trainer.errors import Broken, TooLarge
from trainer.run_format import describe

router = APIRouter(prefix="/api", tags=["tokenizers"], route_class=OrjsonRoute)
Tokenizers = Annotated[TokenizerRegistry, Depends(get_tokenizers)]
References = Annotated[ReferenceTokenizers, Depends(get_references)]
MAX_MERGE_PAGE = 500   # merge records one /merges request returns at most
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 413: {"model": ErrorBody}}


def summary(tok: Tokenizer) -> dict:
    extra = {}
    if isinstance(tok, ByteLevelBPE):
        extra = {"kind": "reference", "label": tok.meta["label"], "pattern_note": tok.meta["pattern_note"]}
    return {"name": tok.name, "vocab_size": tok.vocab_size, "base_size": tok.base_size,
            "merges": len(tok.merges), "corpus": tok.meta.get("corpus"), **extra}


def reference_summary(name: str) -> TokenizerSummary:
    """Listed from what is known of it, without loading its ranks."""
    ref = REFERENCES[name]
    return TokenizerSummary(name=name, vocab_size=ref.ranks, base_size=256, merges=ref.ranks - 256, kind="reference",
                            corpus=f"OpenAI's {ref.label} ranks (no training text published)", label=ref.label,
                            pattern_note=ref.pattern_note)


async def lookup(name: str, tokenizers: TokenizerRegistry, references: ReferenceTokenizers) -> Tokenizer:
    """A reference tokenizer by its name (loaded off the event loop the first time), else a learned one."""
    if references.handles(name):
        return await references.get(name)
    return tokenizers.get(name)


@router.get("/tokenizers", response_model=TokenizerList)
async def list_tokenizers(tokenizers: Tokenizers, references: References) -> TokenizerList:
    entries = [e for e in tokenizers.entries() if not references.handles(e.name)]  # a reference's name wins
    installed = references.installed()
    return TokenizerList(
        tokenizers=[TokenizerSummary(**{**summary(e.value), "name": e.name}) for e in entries if e.error is None]
        + [reference_summary(name) for name in installed],
        broken=[BrokenEntry(name=e.name, error=e.error) for e in entries if e.error is not None],
        not_installed=[BrokenEntry(name=name, error="its rank file is not installed: run make references")
                       for name in REFERENCES if name not in installed])


@router.get("/tokenizers/{name}", response_model=TokenizerDetail, responses=ERRORS,
            description="The tokenizer and its merges in the order learned, with their counts.")
async def tokenizer_detail(name: str, tokenizers: Tokenizers, references: References) -> TokenizerDetail:
    tok = await lookup(name, tokenizers, references)
    history = [] if isinstance(tok, ByteLevelBPE) else [tok.merge_record(r) for r in range(len(tok.merges))]
    return TokenizerDetail(**{**summary(tok), "name": name}, merge_history=history)


@router.get("/tokenizers/{name}/merges", response_model=list[MergeOut], responses=ERRORS,
            description=f"Merges `first` to `first + count - 1` (1-based ranks, at most {MAX_MERGE_PAGE}): the pair "
                        "each joins and the token it makes.")
async def tokenizer_merges(name: str, tokenizers: Tokenizers, references: References,
                           first: Annotated[int, Query(ge=1)] = 1,
                           count: Annotated[int, Query(ge=1, le=MAX_MERGE_PAGE)] = 50) -> list[MergeOut]:
    tok = await lookup(name, tokenizers, references)
    return [MergeOut(**tok.merge_record(r)) for r in range(first - 1, min(first - 1 + count, len(tok.merges)))]


@router.get("/tokenizers/{name}/analysis", response_model=TokenizerAnalysis, responses=ERRORS)
async def tokenizer_analysis(name: str, tokenizers: Tokenizers, references: References) -> TokenizerAnalysis:
    tok = await lookup(name, tokenizers, references)
    return TokenizerAnalysis(tokenizer=name, cross_domain=cross_domain(tok), pathological=pathological(tok),
                             vocab_efficiency=tok.meta.get("vocab_efficiency", []))


@router.get("/tokenizers/{name}/lessons", response_model=TokenizerLessons, responses=ERRORS,
            description="Merge progression on held-out text, token lengths, and what BPE learned first.")
async def tokenizer_lessons(name: str, tokenizers: Tokenizers, references: References) -> TokenizerLessons:
    tok = await lookup(name, tokenizers, references)
    try:  # the figures come from the file's meta, which nothing else validates
        usage = [{"id": int(row["id"]), "uses": int(row["uses"])} for row in tok.meta.get("subword_usage", [])]
        return TokenizerLessons(tokenizer=name, merges_total=len(tok.merges), base_size=tok.base_size,
                                held_out_lines=tok.meta.get("held_out_lines", 0),
                                merge_progression=tok.meta.get("merge_progression", []),
                                token_lengths=vocabulary_lengths(tok), **learned_first(tok, usage))
    except (ValidationError, KeyError, TypeError, ValueError) as err:
        detail = describe(err) if isinstance(err, ValidationError) else repr(err)
        raise Broken(f"tokenizer {name}'s held-out figures are malformed ({detail}); retrain it") from None


async def checked(request: TokenizeRequest, tokenizers: TokenizerRegistry,
                  references: ReferenceTokenizers) -> tuple[Tokenizer, int, int]:
    """The tokenizer, the merges to use (at most all) and the text's size in bytes, under the size limit."""
    size = len(request.text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise TooLarge(f"text is {size:,} bytes; the limit is {MAX_TEXT_BYTES:,} bytes (about 100 KB)")
    tok = await lookup(request.tokenizer, tokenizers, references)
    merges = len(tok.merges) if request.merges is None else min(request.merges, len(tok.merges))
    return tok, merges, size


async def by_size(size: int, function, *args):
    """function(*args): in a thread for a long text, so the event loop keeps answering this worker's other
    requests meanwhile; inline for a short one (a thread hop costs more than the work)."""
    if size > settings.INLINE_TOKENIZE_BYTES:
        return await run_in_threadpool(function, *args)
    return function(*args)


@router.post("/tokenize", response_model=TokenizeResponse, responses=ERRORS)
async def tokenize(request: TokenizeRequest, tokenizers: Tokenizers, references: References) -> OrjsonResponse:
    tok, merges, size = await checked(request, tokenizers, references)
    return OrjsonResponse(await by_size(size, tokenize_answer, tok, request, merges))


def tokenize_answer(tok: Tokenizer, request: TokenizeRequest, merges: int) -> dict:
    """Built to TokenizeResponse's shape (tested) and sent as is, without re-validating every column."""
    encoding = tok.encode_detailed(request.text, merges)
    return {"tokenizer": request.tokenizer, "merges_used": merges, "merges_total": len(tok.merges),
            **encoding._asdict(), "merge_ranks": tok.merge_ranks(encoding.ids),
            "stats": text_stats(tok, request.text, merges, encoding.ids)}


@router.post("/tokenize/pipeline", response_model=PipelineResponse, responses=ERRORS,
             description="The text's pre-tokenizer pieces, each as base symbols and as tokens after the merges.")
async def tokenize_pipeline(request: TokenizeRequest, tokenizers: Tokenizers,
                            references: References) -> PipelineResponse:
    tok, merges, size = await checked(request, tokenizers, references)
    stages = await by_size(size, pipeline, tok, request.text, merges)
    return PipelineResponse(tokenizer=request.tokenizer, merges_used=merges, **stages)


@router.post("/tokenize/merges", response_model=MergesAppliedResponse, responses=ERRORS,
             description="The merges that changed this text, in the order they apply, with the pair each joined, "
                         "how often, and the text's token count before and after it.")
async def tokenize_merges(request: TokenizeRequest, tokenizers: Tokenizers,
                          references: References) -> MergesAppliedResponse:
    tok, merges, size = await checked(request, tokenizers, references)
    applied = await by_size(size, merges_applied, tok, request.text, merges)
    return MergesAppliedResponse(tokenizer=request.tokenizer, merges_used=merges, **applied)


@router.post("/decode", response_model=DecodeResponse, responses={**ERRORS, 400: {"model": ErrorBody}})
async def decode(request: DecodeRequest, tokenizers: Tokenizers, references: References) -> DecodeResponse:
    if len(request.ids) > MAX_IDS:
        raise TooLarge(f"{len(request.ids):,} ids; the limit is {MAX_IDS:,}")
    tok = await lookup(request.tokenizer, tokenizers, references)  # an id out of its vocabulary: WordlabError, a 400
    return DecodeResponse(tokenizer=request.tokenizer, text=tok.decode(request.ids, errors="replace"))
