"""Recorded runs: list, manifest, any manifest-listed file, one step's record, live embedding queries."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from backend import embeddings
from backend.dependencies import get_runs
from backend.files import file_response
from backend.jsonresponse import OrjsonResponse
from backend.loading import off_loop_when_loading
from backend.routing import OrjsonRoute
from backend.runs import RunRegistry
from backend.schemas import (
    AnalogyQuery,
    AnalogyResponse,
    ErrorBody,
    NeighborsQuery,
    NeighborsResponse,
    RunList,
    RunSummary,
    SimilarityQuery,
    SimilarityResponse,
)
from trainer.run_format import MANIFEST

router = APIRouter(prefix="/api/runs", tags=["runs"], route_class=OrjsonRoute)
Runs = Annotated[RunRegistry, Depends(get_runs)]
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}}


@router.get("", response_model=RunList)
async def list_runs(runs: Runs) -> RunList:
    return RunList(runs=await off_loop_when_loading(run_summaries, runs))


def run_summaries(runs: RunRegistry) -> list[RunSummary]:
    summaries = []
    for entry in runs.entries():
        if entry.error is not None:
            summaries.append(RunSummary(name=entry.name, status="broken", error=entry.error))
            continue
        m = entry.value.manifest
        summaries.append(RunSummary(
            name=entry.name, status="ok", kind=m["kind"], corpus=m.get("corpus", {}).get("source"),
            vocab_size=m["sizes"]["vocab"], dim=m["sizes"]["dim"], steps=m["sizes"]["steps"],
            recorded_steps=m["sizes"]["recorded_steps"], created=m["created"], diverged="diverged" in m))
    return summaries


@router.get("/{run}", responses=ERRORS, response_class=Response,
            description="The run's manifest (run.json): config, sizes, chunk lists, file hashes.")
async def manifest(run: str, runs: Runs, request: Request) -> Response:
    return file_response(request, MANIFEST, await off_loop_when_loading(lambda: runs.get(run).file(MANIFEST)))


@router.get("/{run}/files/{path:path}", responses=ERRORS, response_class=Response,
            description="Any file the manifest lists (views, chunks, weights), by its path in the run.")
async def run_file(run: str, path: str, runs: Runs, request: Request) -> Response:
    return file_response(request, path, await off_loop_when_loading(lambda: runs.get(run).file(path)))


@router.get("/{run}/steps/{step}", responses=ERRORS, response_class=OrjsonResponse,
            description="The full recorded state of one step (see docs/run-format.md).")
async def step_record(run: str, step: Annotated[int, Path(ge=1, le=10**9)], runs: Runs) -> OrjsonResponse:
    return OrjsonResponse(await off_loop_when_loading(lambda: runs.get(run).record(step)))


@router.get("/{run}/neighbors", response_model=NeighborsResponse, responses=ERRORS)
async def neighbors(run: str, query: Annotated[NeighborsQuery, Query()], runs: Runs) -> OrjsonResponse:
    found = await off_loop_when_loading(
        lambda: embeddings.neighbors(runs.get(run), query.word, query.k, query.metric, query.step))
    # Built to NeighborsResponse's shape (tested) and sent as is, without re-validating every row.
    return OrjsonResponse({"run": run, "word": query.word, "step": query.step, "metric": query.metric,
                           "neighbors": found})


@router.get("/{run}/analogy", response_model=AnalogyResponse, responses=ERRORS,
            description="a : b :: c : ?  (3CosAdd over unit vectors; a, b and c are excluded).")
async def analogy(run: str, q: Annotated[AnalogyQuery, Query()], runs: Runs) -> AnalogyResponse:
    results = await off_loop_when_loading(lambda: embeddings.solve_analogy(runs.get(run), q.a, q.b, q.c, q.k, q.step))
    return AnalogyResponse(run=run, a=q.a, b=q.b, c=q.c, step=q.step, results=results)


@router.get("/{run}/similarity", response_model=SimilarityResponse, responses=ERRORS)
async def similarity(run: str, q: Annotated[SimilarityQuery, Query()], runs: Runs) -> SimilarityResponse:
    scores = await off_loop_when_loading(lambda: embeddings.similarity(runs.get(run), q.a, q.b, q.step))
    return SimilarityResponse(run=run, a=q.a, b=q.b, step=q.step, **scores)
