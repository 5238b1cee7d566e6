"""The live classroom's routes. Students: the class's status, its event stream, an anonymous token, their
answers. The instructor (the key `wordlab serve` prints, as `Authorization: Bearer KEY`, checked on every
call): start and end the class, publish the view to follow, ask, close, reopen and reveal a question.

Every student route is rate-limited per connection and per address; wrong keys are too, separately."""

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from backend import settings
from backend.classroom import answer_key, clean_nickname, new_student, same_key, student_id
from backend.errors import TooLarge
from backend.jsonresponse import OrjsonResponse
from backend.liveclass import LiveClass, too_many
from backend.livefeed import Refused
from backend.routing import OrjsonRoute
from backend.schemas import (
    Answered,
    AnswerRequest,
    Asked,
    AskId,
    AskRequest,
    ErrorBody,
    LiveSession,
    LiveStatus,
    LiveView,
    Message,
    Seq,
    StudentToken,
)
from trainer.errors import WordlabError

router = APIRouter(prefix="/api/live", tags=["live"], route_class=OrjsonRoute)
bearer = HTTPBearer(auto_error=False, description="the instructor key that `wordlab serve` prints")
ERRORS = {400: {"model": ErrorBody}, 409: {"model": ErrorBody}, 429: {"model": ErrorBody}}
KEY_ERRORS = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 409: {"model": ErrorBody},
              429: {"model": ErrorBody}}


async def get_live(request: Request) -> LiveClass:
    return request.app.state.live


Live = Annotated[LiveClass, Depends(get_live)]


def client_of(request: Request) -> tuple[str, str]:
    """(address, connection): the peer's address, and address:port, which names one connection."""
    host, port = request.client or ("unknown", 0)
    return host, f"{host}:{port}"


async def rate_limited(request: Request, live: Live) -> None:
    live.limit(*client_of(request))


async def instructor(request: Request, live: Live,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """The instructor key, on every instructor call; wrong keys from one address are slowed to a trickle."""
    if credentials is None:
        raise HTTPException(401, {"message": "this needs the instructor key (wordlab serve prints it)"},
                            headers={"WWW-Authenticate": "Bearer"})
    address, _ = client_of(request)
    if live.key_failures.blocked(address):
        raise too_many(live.key_failures, "too many wrong instructor keys from this address; wait a moment")
    if not same_key(credentials.credentials, (await live.secrets()).instructor_key):
        live.key_failures.allow(address)
        raise HTTPException(403, {"message": "that is not this server's instructor key"})


Student = [Depends(rate_limited)]
Instructor = [Depends(instructor)]


# ---- everyone ----

@router.get("", response_model=LiveStatus, dependencies=Student, responses=ERRORS,
            description="Whether a class is live, and how many pages follow it.")
async def status(live: Live) -> LiveStatus:
    session = await live.session()
    return LiveStatus(session=session and session["session"], started=session and session["started"],
                      connected=await live.store.connected() if session else 0)


class EventStream(Response):
    """The class's events as server-sent events (backend/livefeed.py), for as long as the reader stays."""
    media_type = "text/event-stream"

    def __init__(self, live: LiveClass, address: str, counted: bool, cursor: int, status_code: int = 200):
        super().__init__(status_code=status_code)
        self.live, self.address, self.counted, self.cursor = live, address, counted, cursor

    async def __call__(self, scope, receive, send) -> None:
        feed = self.live.feed
        try:
            stream = feed.attach(self.address, self.counted)
        except Refused as refused:
            await OrjsonResponse({"detail": {"message": str(refused)}}, status_code=refused.status,
                                 headers={"Retry-After": "5"})(scope, receive, send)
            return
        await feed.serve(stream, self.cursor, receive, send)


@router.get("/events", dependencies=Student, response_class=EventStream,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "events `session`, `state`, `question`, each with its seq as id"},
                       204: {"description": "no class is live"}, 429: {"model": ErrorBody}, 503: {"model": ErrorBody}},
            description="The class's events: first the current state (or, after a reconnect with Last-Event-ID, "
                        "what was missed), then each change as it happens; a comment every few seconds between.")
async def events(request: Request, live: Live, role: Literal["follow", "lead"] = "follow") -> Response:
    if await live.session() is None:
        return Response(status_code=204)
    last = request.headers.get("last-event-id", "")
    cursor = int(last) if last.isdigit() and len(last) < 19 else 0
    return EventStream(live, client_of(request)[0], role == "follow", cursor)


@router.post("/join", response_model=StudentToken, dependencies=Student, responses=ERRORS,
             description="An anonymous token for this browser's answers (no name, nothing stored until it answers).")
async def join(request: Request, live: Live) -> StudentToken:
    if not live.joins.allow(client_of(request)[0]):
        raise too_many(live.joins, "too many new students from this address; wait a moment")
    return StudentToken(student=new_student((await live.secrets()).signing))


@router.post("/answers", response_model=Answered, dependencies=Student, responses={404: {"model": ErrorBody}, **ERRORS},
             description="This student's answer to the question being asked; a second one replaces the first "
                         "until answers close.")
async def answer(body: AnswerRequest, live: Live) -> Answered:
    student = student_id((await live.secrets()).signing, body.student)
    key = answer_key(await live.store.question(body.ask), body.value)
    await live.store.answer(body.ask, student, key, clean_nickname(body.nickname))
    live.counts_changed(body.ask)
    return Answered(counted_as=key)


# ---- the instructor ----

@router.get("/instructor", response_model=Message, dependencies=Instructor, responses=KEY_ERRORS,
            description="Checks an instructor key.")
async def check_key() -> Message:
    return Message(message="this is the instructor key: this browser may lead the class")


@router.post("/session", response_model=LiveSession, dependencies=Instructor, responses=KEY_ERRORS,
             description="Starts the class, or returns the one already live (a reload does not start another).")
async def start(live: Live) -> LiveSession:
    return LiveSession(**await live.store.start_session())


@router.delete("/session", status_code=204, dependencies=Instructor, responses=KEY_ERRORS,
               description="Ends the class: pages stop following.")
async def end(live: Live) -> None:
    await live.store.end_session()


@router.post("/state", response_model=Seq, dependencies=Instructor, responses={413: {"model": ErrorBody}, **KEY_ERRORS},
             description="The leader's view, which every following page takes.")
async def publish(view: LiveView, live: Live) -> Seq:
    data = view.model_dump()
    try:
        size = len(orjson.dumps(data))
    except orjson.JSONEncodeError as err:
        raise WordlabError(f"the page state cannot be sent on: {err}") from None
    if size > settings.LIVE_MAX_STATE_BYTES:
        raise TooLarge(f"the page state is {size:,} bytes, over the limit of {settings.LIVE_MAX_STATE_BYTES:,}")
    return Seq(seq=await live.store.publish_state(data))


@router.post("/questions", response_model=Asked, dependencies=Instructor, responses=KEY_ERRORS,
             description="Asks the class a question (the one asked before stops taking answers).")
async def ask(body: AskRequest, live: Live) -> Asked:
    question = body.question.model_dump()
    question["answer_key"] = answer_key(question, question["answer"])
    return Asked(ask=await live.store.ask(question))


ACTIONS = {"close": "closed", "reopen": "open", "reveal": "revealed"}


@router.post("/questions/{ask}/{action}", status_code=204, dependencies=Instructor,
             responses={404: {"model": ErrorBody}, **KEY_ERRORS},
             description="close: no more answers; reopen: answers again; reveal: closes it and shows everyone the "
                         "answer, the reason and how many had it.")
async def change(ask: AskId, action: Literal["close", "reopen", "reveal"], live: Live) -> None:
    await live.store.set_status(ask, ACTIONS[action])
