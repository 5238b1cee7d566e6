"""Tokenizers: list, merge history, analysis and lessons, live tokenize, the pipeline of one text, and decode."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError

from backend import settings
from backend.compression import accepts_gzip
from backend.dependencies import get_long_work, get_references, get_tokenizers
from backend.errors import TooLarge
from backend.jsonresponse import OrjsonResponse
from backend.loading import off_loop_when_loading
from backend.long_work import LongWork
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
from backend.tokenizers import ReferenceTokenizers, TokenizerHeader, TokenizerRegistry
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
from trainer.errors import Broken
from trainer.run_format import describe

router = APIRouter(prefix="/api", tags=["tokenizers"], route_class=OrjsonRoute)
Tokenizers = Annotated[TokenizerRegistry, Depends(get_tokenizers)]
References = Annotated[ReferenceTokenizers, Depends(get_references)]
Long = Annotated[LongWork, Depends(get_long_work)]
MAX_MERGE_PAGE = 500   # merge records one /merges request returns at most
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 413: {"model": ErrorBody}}


def summary(header: TokenizerHeader) -> dict:
    return {"name": header.name, "vocab_size": header.vocab_size, "base_size": header.base_size,
            "merges": header.merges, "corpus": header.corpus}


def reference_summary(name: str) -> TokenizerSummary:
    """Listed from what is known of it, without loading its ranks."""
    ref = REFERENCES[name]
    return TokenizerSummary(name=name, vocab_size=ref.ranks, base_size=256, merges=ref.ranks - 256, kind="reference",
                            corpus=f"OpenAI's {ref.label} ranks (no training text published)", label=ref.label,
                            pattern_note=ref.pattern_note)


def summary_of(name: str, tok: Tokenizer) -> dict:
    if isinstance(tok, ByteLevelBPE):
        return reference_summary(name).model_dump(exclude_none=True)
    return {**summary(TokenizerHeader.of(tok)), "name": name}


async def lookup(name: str, tokenizers: TokenizerRegistry, references: ReferenceTokenizers) -> Tokenizer:
    """A reference tokenizer by its name (loaded off the event loop the first time), else a learned one
    (loaded in the worker's loading thread, backend/loading.py)."""
    if references.handles(name):
        return await references.get(name)
    return await off_loop_when_loading(tokenizers.get, name)


class JsonBytes(Response):
    media_type = "application/json"


async def file_answer(http: Request, tokenizers: TokenizerRegistry, references: ReferenceTokenizers, name: str,
                      what: str, build) -> JsonBytes:
    """A route's answer that depends only on the tokenizer, built by build(tok) (a pydantic model, or JSON
    bytes): for a learned tokenizer once per version of its file, in the loading thread, then sent as bytes
    (a 100,000-merge tokenizer's merges were rebuilt through pydantic on the event loop for every request),
    gzip-compressed once for the clients that accept it; for a reference tokenizer (no merge history to
    send) from the loaded ranks."""
    def serialized(tok: Tokenizer) -> bytes:
        built = build(tok)
        return built if isinstance(built, bytes) else built.model_dump_json().encode()
    if references.handles(name):
        return JsonBytes(serialized(await references.get(name)))
    if not accepts_gzip(http.headers.get("accept-encoding", "")):
        return JsonBytes(await off_loop_when_loading(tokenizers.answer, name, what, serialized))
    data = await off_loop_when_loading(tokenizers.answer, name, what, serialized, True)
    return JsonBytes(data, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


@router.get("/tokenizers", response_model=TokenizerList)
async def list_tokenizers(tokenizers: Tokenizers, references: References) -> TokenizerList:
    entries = [e for e in await off_loop_when_loading(tokenizers.entries)
               if not references.handles(e.name)]  # a reference's name wins
    installed = references.installed()
    return TokenizerList(
        tokenizers=[TokenizerSummary(**{**summary(e.value), "name": e.name}) for e in entries if e.error is None]
        + [reference_summary(name) for name in installed],
        broken=[BrokenEntry(name=e.name, error=e.error) for e in entries if e.error is not None],
        not_installed=[BrokenEntry(name=name, error="its rank file is not installed: run make references")
                       for name in REFERENCES if name not in installed])


@router.get("/tokenizers/{name}", response_model=TokenizerDetail, responses=ERRORS,
            description="The tokenizer and its merges in the order learned, with their counts (none for a "
                        "reference tokenizer: /merges pages through its ranks).")
async def tokenizer_detail(name: str, tokenizers: Tokenizers, references: References, http: Request) -> JsonBytes:
    def detail(tok: Tokenizer) -> bytes:
        """TokenizerDetail's JSON (tested), written with orjson: 200,000 merges as pydantic models took
        twice the memory of the answer."""
        history = [] if isinstance(tok, ByteLevelBPE) else [tok.merge_record(r) for r in range(len(tok.merges))]
        return orjson.dumps({**summary_of(name, tok), "merge_history": history})
    return await file_answer(http, tokenizers, references, name, "detail", detail)


@router.get("/tokenizers/{name}/merges", response_model=list[MergeOut], responses=ERRORS,
            description=f"Merges `first` to `first + count - 1` (1-based ranks, at most {MAX_MERGE_PAGE}): the pair "
                        "each joins and the token it makes.")
async def tokenizer_merges(name: str, tokenizers: Tokenizers, references: References,
                           first: Annotated[int, Query(ge=1)] = 1,
                           count: Annotated[int, Query(ge=1, le=MAX_MERGE_PAGE)] = 50) -> list[MergeOut]:
    tok = await lookup(name, tokenizers, references)
    return [MergeOut(**tok.merge_record(r)) for r in range(first - 1, min(first - 1 + count, len(tok.merges)))]


@router.get("/tokenizers/{name}/analysis", response_model=TokenizerAnalysis, responses=ERRORS)
async def tokenizer_analysis(name: str, tokenizers: Tokenizers, references: References, http: Request) -> JsonBytes:
    def analysis(tok: Tokenizer) -> TokenizerAnalysis:
        return TokenizerAnalysis(tokenizer=name, cross_domain=cross_domain(tok), pathological=pathological(tok),
                                 vocab_efficiency=tok.meta.get("vocab_efficiency", []))
    return await file_answer(http, tokenizers, references, name, "analysis", analysis)


@router.get("/tokenizers/{name}/lessons", response_model=TokenizerLessons, responses=ERRORS,
            description="Merge progression on held-out text, token lengths, and what BPE learned first.")
async def tokenizer_lessons(name: str, tokenizers: Tokenizers, references: References, http: Request) -> JsonBytes:
    return await file_answer(http, tokenizers, references, name, "lessons", lambda tok: lessons(name, tok))


def lessons(name: str, tok: Tokenizer) -> TokenizerLessons:
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


async def encoded(http: Request, long_work: LongWork, work, tok: Tokenizer, request: TokenizeRequest,
                  merges: int, size: int):
    """work(tok, request, merges): on the event loop for a short text; a long one waits its turn for a
    thread (backend/long_work.py), so the event loop keeps answering everyone else meanwhile."""
    if size > settings.INLINE_TOKENIZE_BYTES:
        return await long_work.run(http.client.host if http.client else "", work, tok, request, merges)
    return work(tok, request, merges)


@router.post("/tokenize", response_model=TokenizeResponse, responses=ERRORS)
async def tokenize(request: TokenizeRequest, tokenizers: Tokenizers, references: References, long_work: Long,
                   http: Request) -> OrjsonResponse:
    tok, merges, size = await checked(request, tokenizers, references)
    return OrjsonResponse(await encoded(http, long_work, tokenize_answer, tok, request, merges, size))


def tokenize_answer(tok: Tokenizer, request: TokenizeRequest, merges: int) -> dict:
    """Built to TokenizeResponse's shape (tested) and sent as is, without re-validating every column."""
    encoding = tok.encode_detailed(request.text, merges)
    return {"tokenizer": request.tokenizer, "merges_used": merges, "merges_total": len(tok.merges),
            **encoding._asdict(), "merge_ranks": tok.merge_ranks(encoding.ids),
            "stats": text_stats(tok, request.text, merges, encoding.ids)}


def pipeline_stages(tok: Tokenizer, request: TokenizeRequest, merges: int) -> dict:
    return pipeline(tok, request.text, merges)


def merges_in_text(tok: Tokenizer, request: TokenizeRequest, merges: int) -> dict:
    return merges_applied(tok, request.text, merges)


@router.post("/tokenize/pipeline", response_model=PipelineResponse, responses=ERRORS,
             description="The text's pre-tokenizer pieces, each as base symbols and as tokens after the merges.")
async def tokenize_pipeline(request: TokenizeRequest, tokenizers: Tokenizers, references: References,
                            long_work: Long, http: Request) -> PipelineResponse:
    tok, merges, size = await checked(request, tokenizers, references)
    stages = await encoded(http, long_work, pipeline_stages, tok, request, merges, size)
    return PipelineResponse(tokenizer=request.tokenizer, merges_used=merges, **stages)


@router.post("/tokenize/merges", response_model=MergesAppliedResponse, responses=ERRORS,
             description="The merges that changed this text, in the order they apply, with the pair each joined, "
                         "how often, and the text's token count before and after it.")
async def tokenize_merges(request: TokenizeRequest, tokenizers: Tokenizers, references: References,
                          long_work: Long, http: Request) -> MergesAppliedResponse:
    tok, merges, size = await checked(request, tokenizers, references)
    applied = await encoded(http, long_work, merges_in_text, tok, request, merges, size)
    return MergesAppliedResponse(tokenizer=request.tokenizer, merges_used=merges, **applied)


@router.post("/decode", response_model=DecodeResponse, responses={**ERRORS, 400: {"model": ErrorBody}})
async def decode(request: DecodeRequest, tokenizers: Tokenizers, references: References) -> DecodeResponse:
    if len(request.ids) > MAX_IDS:
        raise TooLarge(f"{len(request.ids):,} ids; the limit is {MAX_IDS:,}")
    tok = await lookup(request.tokenizer, tokenizers, references)  # an id out of its vocabulary: WordlabError, a 400
    return DecodeResponse(tokenizer=request.tokenizer, text=tok.decode(request.ids, errors="replace"))
