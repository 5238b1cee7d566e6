"""The explorer page's queries: neighbors of several words at once, a run's 2-D map, and the
cosine similarity matrix of a chosen word set."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from backend import embeddings
from backend.dependencies import get_runs
from backend.files import file_response
from backend.loading import off_loop_when_loading
from backend.runs import RunRegistry
from backend.schemas import (
    ErrorBody,
    NeighborsBatchQuery,
    NeighborsBatchResponse,
    SimilarityMatrixQuery,
    SimilarityMatrixResponse,
)
from trainer.errors import NotFound
from trainer.run_format import EXPLORER_MAP

router = APIRouter(prefix="/api/runs", tags=["explorer"])
Runs = Annotated[RunRegistry, Depends(get_runs)]
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}}


@router.get("/{run}/neighbors/batch", response_model=NeighborsBatchResponse, responses=ERRORS,
            description="Nearest neighbors of several words (`words` repeated), one column per word.")
async def neighbors_batch(run: str, q: Annotated[NeighborsBatchQuery, Query()], runs: Runs):
    def neighbor_columns() -> list[dict]:
        loaded = runs.get(run)
        return [{"word": w, "neighbors": embeddings.neighbors(loaded, w, q.k, q.metric, q.step)} for w in q.words]
    columns = await off_loop_when_loading(neighbor_columns)
    return NeighborsBatchResponse(run=run, step=q.step, metric=q.metric, columns=columns)


@router.get("/{run}/map", responses=ERRORS, response_class=Response,
            description="Every recorded word in 2-D (PCA, t-SNE, PCA at checkpoints): explorer/map.json.gz, "
                        "sent gzipped with an ETag (see docs/run-format.md).")
async def word_map(run: str, runs: Runs, request: Request) -> Response:
    def map_file():
        loaded = runs.get(run)
        if EXPLORER_MAP not in loaded.manifest["files"]:
            raise NotFound(f"run {run!r} was written before the explorer's map existed; retrain it to get one")
        return loaded.file(EXPLORER_MAP)
    return file_response(request, EXPLORER_MAP, await off_loop_when_loading(map_file))


@router.get("/{run}/similarity/matrix", response_model=SimilarityMatrixResponse, responses=ERRORS,
            description="Cosine similarity of every pair of a word set (`words` repeated, at most 60).")
async def similarity_matrix(run: str, q: Annotated[SimilarityMatrixQuery, Query()], runs: Runs):
    found = await off_loop_when_loading(
        lambda: embeddings.similarity_matrix(runs.get(run), q.words, q.order == "cluster", q.step))
    return SimilarityMatrixResponse(run=run, step=q.step, **found)
