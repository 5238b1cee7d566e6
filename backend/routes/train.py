"""Training from the browser: the knobs a student may set (ranges and help from the trainer's config,
backend/train_options.py) and what a run will cost before it is started; out-of-range knobs get a 422
that lists every problem."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from backend.jsonresponse import OrjsonResponse
from backend.routing import OrjsonRoute
from backend.train_options import KINDS, TEACHING_METHODS, knob_problems, settings_schema, teaching_cost, with_defaults

router = APIRouter(prefix="/api/train", tags=["training"], route_class=OrjsonRoute)


class EstimateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="teaching or corpus")
    method: str = Field(default="softmax", description="a teaching run's: softmax or sgns")
    knobs: dict[str, Any] = Field(default_factory=dict, max_length=32)


def _unprocessable(problems: list[str]) -> OrjsonResponse:
    errors = [{"loc": ["body", "knobs"], "msg": p} for p in problems]
    return OrjsonResponse(status_code=422, content={"detail": {"message": "; ".join(problems), "errors": errors,
                                                               "left_out": 0}})


@router.get("/options")
def options() -> dict:
    """Every kind of run with its knobs: default, range, integer or not, and the CLI's help sentence."""
    return {"kinds": {kind: settings_schema(kind) for kind in KINDS}, "methods": list(TEACHING_METHODS)}


@router.post("/estimate", responses={422: {"description": "knobs out of range, each listed"}})
def estimate(request: EstimateRequest):
    problems = knob_problems(request.kind, request.knobs)
    if request.kind == "teaching" and request.method not in TEACHING_METHODS:
        problems.append(f"method: must be softmax or sgns (got {request.method[:40]!r})")
    if problems:
        return _unprocessable(problems)
    knobs = with_defaults(request.kind, request.knobs)
    cost = teaching_cost(knobs) if request.kind == "teaching" else {}
    return {"kind": request.kind, "knobs": knobs, **cost}
