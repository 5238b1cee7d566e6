"""Training from the browser: the knobs a student may set (ranges and help from the trainer's config,
backend/train_options.py) and what a run will cost before it is started; out-of-range knobs get a 422
that lists every problem."""

from typing import Any

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from backend.errors import TooLarge
from backend.jsonresponse import OrjsonResponse
from backend.routes.live import Instructor
from backend.routing import OrjsonRoute
from backend.run_admin import delete_run
from backend.train_options import KINDS, TEACHING_METHODS, knob_problems, settings_schema, teaching_cost, with_defaults
from backend.train_sources import PASTED_BYTES, books, job_source, remove_pasted, write_pasted
from trainer.errors import RunFormatError
from trainer.names import check_name

STUDENT_KEY = r"^[A-Za-z0-9_-]{16,64}$"  # made by frontend/js/student.js, kept in the browser's localStorage
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
def options(request: Request) -> dict:
    """Every kind of run with its knobs (default, range, integer or not, the CLI's help sentence), the texts
    a run may read and the tokenizers that may cut them."""
    return {"kinds": {kind: settings_schema(kind) for kind in KINDS}, "methods": list(TEACHING_METHODS),
            "texts": ["teaching", *(f"book:{name}" for name in books(request.app.state.corpora_dir)), "pasted"],
            "pasted_bytes": PASTED_BYTES, "tokenizers": ["words", *request.app.state.tokenizers.find()]}


@router.post("/estimate", responses={422: {"description": "knobs out of range, each listed"}})
def estimate(request: EstimateRequest, http: Request):
    problems = knob_problems(request.kind, request.knobs)
    if request.kind == "teaching" and request.method not in TEACHING_METHODS:
        problems.append(f"method: must be softmax or sgns (got {request.method[:40]!r})")
    if problems:
        return _unprocessable(problems)
    knobs = with_defaults(request.kind, request.knobs)
    cost = teaching_cost(knobs) if request.kind == "teaching" else {}
    seconds = _jobs(http).expected_seconds(cost["steps"], cost["recorded_steps"]) if cost else None
    return {"kind": request.kind, "knobs": knobs, **cost, "expected_seconds": seconds}


class JobRequest(EstimateRequest):
    name: str = Field(description="the run's name: letters, digits, '-', '_' and '.', as `wordlab train --name`")
    text: str = Field(default="teaching", max_length=200, description="teaching, book:NAME (data/corpora) or pasted")
    pasted: str | None = Field(default=None, max_length=PASTED_BYTES, description="with text 'pasted': the text")
    tokenizer: str = Field(default="words", max_length=100, description="words, or a BPE tokenizer's name")


def _jobs(request: Request):
    return request.app.state.train_jobs


@router.post("/jobs", status_code=201, responses={422: {"description": "knobs out of range, each listed"}})
def submit(body: JobRequest, request: Request,
           student: str = Header(alias="X-Student-Key", pattern=STUDENT_KEY)):
    """Queue a run for this student (one browser's key): refused past the per-student and class limits."""
    problems = knob_problems(body.kind, body.knobs)
    if body.kind == "teaching" and body.method not in TEACHING_METHODS:
        problems.append(f"method: must be softmax or sgns (got {body.method[:40]!r})")
    if problems:
        return _unprocessable(problems)
    if body.kind != "teaching":
        raise TooLarge("corpus runs from the page are not open yet: train a teaching run")
    check_name(body.name)  # before the name meets a path
    if (request.app.state.runs.root / body.name).exists():
        return _unprocessable([f"name: a run named {body.name!r} exists already; choose another"])
    knobs = with_defaults(body.kind, body.knobs)
    cost = teaching_cost(knobs)
    source = job_source(body.text, body.pasted, body.tokenizer, request.app.state.corpora_dir,
                        request.app.state.tokenizers.find(), _jobs(request).path.parent / "pasted")
    job = _jobs(request).submit(student, body.name, body.kind, body.method, knobs, cost["recorded_steps"],
                                cost["max_bytes"], source)
    try:
        if source["pasted"]:
            write_pasted(source, body.pasted)
        request.app.state.train_queue.submit(job["id"], _jobs(request).path, request.app.state.runs.root)
    except Exception:
        _jobs(request).move(job["id"], ("queued",), "failed", "the job could not be queued")
        remove_pasted(source)
        raise
    return job


@router.get("/jobs")
def my_jobs(request: Request, student: str = Header(alias="X-Student-Key", pattern=STUDENT_KEY)) -> list[dict]:
    return _jobs(request).all(student)


@router.get("/jobs/{job_id}")
def job(job_id: str, request: Request, student: str = Header(alias="X-Student-Key", pattern=STUDENT_KEY)) -> dict:
    """This student's job: its state, place in the queue, and why it failed. Another's job is not found."""
    return _jobs(request).get(job_id, student)


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: str, request: Request, student: str = Header(alias="X-Student-Key", pattern=STUDENT_KEY)):
    _jobs(request).get(job_id, student)  # not found unless it is this student's
    _jobs(request).move(job_id, ("queued", "running"), "cancelled", "cancelled by its student")
    return _jobs(request).get(job_id, student)


@router.delete("/runs/{name}")
def delete_mine(name: str, request: Request, student: str = Header(alias="X-Student-Key", pattern=STUDENT_KEY)):
    """Delete a run this student trained from the page (another's, or one from the terminal, is not found)."""
    return _delete(request, _jobs(request).owned_run(name, student))


def _delete(request: Request, job: dict) -> dict:
    check_name(job["name"])
    try:
        freed = delete_run(request.app.state.runs.root, job["name"])
    except RunFormatError:
        freed = 0  # removed from the terminal already: the job's record goes all the same
    _jobs(request).move(job["id"], ("done",), "deleted", "run deleted")
    return {"deleted": job["name"], "bytes": freed}


class Enabled(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool


@router.get("/class/jobs", dependencies=Instructor)
def all_jobs(request: Request) -> list[dict]:
    """The instructor's view: every student's jobs."""
    return _jobs(request).all()


@router.post("/class/jobs/{job_id}/cancel", dependencies=Instructor)
def cancel_any(job_id: str, request: Request) -> dict:
    _jobs(request).move(job_id, ("queued", "running"), "cancelled", "cancelled by the instructor")
    return _jobs(request).get(job_id)


@router.delete("/class/runs/{name}", dependencies=Instructor)
def delete_any(name: str, request: Request) -> dict:
    """The instructor deletes any run a student trained from the page."""
    return _delete(request, _jobs(request).owned_run(name, None))


@router.get("/enabled")
def enabled(request: Request) -> Enabled:
    """Whether the class may train now (the page says so before a student fills in the form)."""
    return Enabled(enabled=_jobs(request).enabled())


@router.put("/enabled", dependencies=Instructor)
def set_enabled(body: Enabled, request: Request) -> Enabled:
    """Turn training from the page off (new jobs refused; those queued still run) or on, for the class."""
    _jobs(request).set_enabled(body.enabled)
    return body
