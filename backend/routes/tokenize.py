"""Tokenizers: list, merge history, analysis and lessons, live tokenize, the pipeline of one text, and decode."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from backend import settings
from backend.dependencies import get_long_work, get_tokenizers
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
from backend.tokenizers import TokenizerHeader, TokenizerRegistry
from trainer.bpe.analysis import cross_domain, learned_first, pathological, pipeline, text_stats, vocabulary_lengths
from trainer.bpe.tokenizer import BPETokenizer
from trainer.errors import Broken
from trainer.run_format import describe

router = APIRouter(prefix="/api", tags=["tokenizers"], route_class=OrjsonRoute)
Tokenizers = Annotated[TokenizerRegistry, Depends(get_tokenizers)]
Long = Annotated[LongWork, Depends(get_long_work)]
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 413: {"model": ErrorBody}}


def summary(header: TokenizerHeader) -> dict:
    return {"name": header.name, "vocab_size": header.vocab_size, "base_size": header.base_size,
            "merges": header.merges, "corpus": header.corpus}


class JsonBytes(Response):
    media_type = "application/json"


async def file_answer(tokenizers: TokenizerRegistry, name: str, what: str, build) -> JsonBytes:
    """A route's answer that depends only on the tokenizer file, built by build(tok) (a pydantic model,
    or JSON bytes) once per version of the file, in the loading thread, then sent as bytes (a
    100,000-merge tokenizer's merges were rebuilt through pydantic on the event loop for every request)."""
    def serialized(tok: BPETokenizer) -> bytes:
        built = build(tok)
        return built if isinstance(built, bytes) else built.model_dump_json().encode()
    return JsonBytes(await off_loop_when_loading(tokenizers.answer, name, what, serialized))


@router.get("/tokenizers", response_model=TokenizerList)
async def list_tokenizers(tokenizers: Tokenizers) -> TokenizerList:
    entries = await off_loop_when_loading(tokenizers.entries)
    return TokenizerList(
        tokenizers=[TokenizerSummary(**{**summary(e.value), "name": e.name}) for e in entries if e.error is None],
        broken=[BrokenEntry(name=e.name, error=e.error) for e in entries if e.error is not None])


@router.get("/tokenizers/{name}", response_model=TokenizerDetail, responses=ERRORS,
            description="The tokenizer and its merges in the order learned, with their counts.")
async def tokenizer_detail(name: str, tokenizers: Tokenizers) -> JsonBytes:
    def detail(tok: BPETokenizer) -> bytes:
        """TokenizerDetail's JSON (tested), written with orjson: 200,000 merges as pydantic models took
        twice the memory of the answer."""
        return orjson.dumps({**summary(TokenizerHeader.of(tok)), "name": name,
                             "merge_history": [tok.merge_record(r) for r in range(len(tok.merges))]})
    return await file_answer(tokenizers, name, "detail", detail)


@router.get("/tokenizers/{name}/analysis", response_model=TokenizerAnalysis, responses=ERRORS)
async def tokenizer_analysis(name: str, tokenizers: Tokenizers) -> JsonBytes:
    def analysis(tok: BPETokenizer) -> TokenizerAnalysis:
        return TokenizerAnalysis(tokenizer=name, cross_domain=cross_domain(tok), pathological=pathological(tok),
                                 vocab_efficiency=tok.meta.get("vocab_efficiency", []))
    return await file_answer(tokenizers, name, "analysis", analysis)


@router.get("/tokenizers/{name}/lessons", response_model=TokenizerLessons, responses=ERRORS,
            description="Merge progression on held-out text, token lengths, and what BPE learned first.")
async def tokenizer_lessons(name: str, tokenizers: Tokenizers) -> JsonBytes:
    return await file_answer(tokenizers, name, "lessons", lambda tok: lessons(name, tok))


def lessons(name: str, tok: BPETokenizer) -> TokenizerLessons:
    try:  # the figures come from the file's meta, which nothing else validates
        usage = [{"id": int(row["id"]), "uses": int(row["uses"])} for row in tok.meta.get("subword_usage", [])]
        return TokenizerLessons(tokenizer=name, merges_total=len(tok.merges), base_size=tok.base_size,
                                held_out_lines=tok.meta.get("held_out_lines", 0),
                                merge_progression=tok.meta.get("merge_progression", []),
                                token_lengths=vocabulary_lengths(tok), **learned_first(tok, usage))
    except (ValidationError, KeyError, TypeError, ValueError) as err:
        detail = describe(err) if isinstance(err, ValidationError) else repr(err)
        raise Broken(f"tokenizer {name}'s held-out figures are malformed ({detail}); retrain it") from None


def checked(request: TokenizeRequest, tokenizers: TokenizerRegistry) -> tuple[BPETokenizer, int, int]:
    """The tokenizer, the merges to use (at most all) and the text's size in bytes, under the size limit."""
    size = len(request.text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise TooLarge(f"text is {size:,} bytes; the limit is {MAX_TEXT_BYTES:,} bytes (about 100 KB)")
    tok = tokenizers.get(request.tokenizer)
    merges = len(tok.merges) if request.merges is None else min(request.merges, len(tok.merges))
    return tok, merges, size


async def encoded(http: Request, long_work: LongWork, work, tok: BPETokenizer, request: TokenizeRequest,
                  merges: int, size: int):
    """work(tok, request, merges): on the event loop for a short text; a long one waits its turn for a
    thread (backend/long_work.py), so the event loop keeps answering everyone else meanwhile."""
    if size > settings.INLINE_TOKENIZE_BYTES:
        return await long_work.run(http.client.host if http.client else "", work, tok, request, merges)
    return work(tok, request, merges)


@router.post("/tokenize", response_model=TokenizeResponse, responses=ERRORS)
async def tokenize(request: TokenizeRequest, tokenizers: Tokenizers, long_work: Long, http: Request) -> OrjsonResponse:
    tok, merges, size = await off_loop_when_loading(checked, request, tokenizers)
    return OrjsonResponse(await encoded(http, long_work, tokenize_answer, tok, request, merges, size))


def tokenize_answer(tok: BPETokenizer, request: TokenizeRequest, merges: int) -> dict:
    """Built to TokenizeResponse's shape (tested) and sent as is, without re-validating every column."""
    encoding = tok.encode_detailed(request.text, merges)
    return {"tokenizer": request.tokenizer, "merges_used": merges, "merges_total": len(tok.merges),
            **encoding._asdict(), "merge_ranks": tok.merge_ranks(encoding.ids),
            "stats": text_stats(tok, request.text, merges, encoding.ids)}


def pipeline_stages(tok: BPETokenizer, request: TokenizeRequest, merges: int) -> dict:
    return pipeline(tok, request.text, merges)


@router.post("/tokenize/pipeline", response_model=PipelineResponse, responses=ERRORS,
             description="The text's pre-tokenizer pieces, each as base symbols and as tokens after the merges.")
async def tokenize_pipeline(request: TokenizeRequest, tokenizers: Tokenizers, long_work: Long,
                            http: Request) -> PipelineResponse:
    tok, merges, size = await off_loop_when_loading(checked, request, tokenizers)
    stages = await encoded(http, long_work, pipeline_stages, tok, request, merges, size)
    return PipelineResponse(tokenizer=request.tokenizer, merges_used=merges, **stages)


@router.post("/decode", response_model=DecodeResponse, responses={**ERRORS, 400: {"model": ErrorBody}})
async def decode(request: DecodeRequest, tokenizers: Tokenizers) -> DecodeResponse:
    if len(request.ids) > MAX_IDS:
        raise TooLarge(f"{len(request.ids):,} ids; the limit is {MAX_IDS:,}")
    tok = await off_loop_when_loading(tokenizers.get, request.tokenizer)  # an id out of range: a 400
    return DecodeResponse(tokenizer=request.tokenizer, text=tok.decode(request.ids, errors="replace"))
