"""The live classroom's rules, apart from where they are stored: what an answer and a nickname may be,
how answers are counted, and what a question shows before and after its reveal.

Both stores (backend/livestore.py) build every question event with `question_event`, so a class on
SQLite and one on Redis send the same thing.
"""

import base64
import hashlib
import hmac
import math
import secrets
import unicodedata
from collections import Counter

from backend import settings
from backend.errors import Unsupported
from trainer.errors import WordlabError

NUMBER_TEXT_CHARS = 32
MAX_NICKNAMES_SHOWN = 40


def number_key(value: float) -> str:
    """One spelling per number, so that 12, 12.0 and "12" are counted together: whole numbers as integers,
    others to six significant digits."""
    if not math.isfinite(value):
        raise WordlabError("an answer must be a finite number")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".6g")


def answer_key(question: dict, value) -> str:
    """The key an answer is counted under, or WordlabError if it cannot answer this question."""
    if question["kind"] == "choice":
        if not isinstance(value, str) or value not in {c["value"] for c in question["choices"]}:
            raise WordlabError("that is not one of this question's choices")
        return value
    if isinstance(value, bool):
        raise WordlabError("this question asks for a number")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if len(text) > NUMBER_TEXT_CHARS:
            raise WordlabError("that number is too long")
        try:
            value = float(text)
        except ValueError:
            raise WordlabError("this question asks for a number") from None
    if not isinstance(value, int | float):
        raise WordlabError("this question asks for a number")
    return number_key(float(value))


def clean_nickname(text: str | None) -> str | None:
    """A nickname as plain text: control and format characters dropped, spaces collapsed, at most
    LIVE_MAX_NICKNAME characters; None when nothing is left (the answer stays anonymous)."""
    if text is None:
        return None
    kept = "".join(" " if ch.isspace() else ch for ch in text if unicodedata.category(ch)[0] != "C" or ch.isspace())
    kept = " ".join(kept.split())[:settings.LIVE_MAX_NICKNAME]
    return kept or None


def public_question(question: dict) -> dict:
    """What students see while the question is open: no answer, no reason."""
    shown = {k: question[k] for k in ("id", "prompt", "kind")}
    if question["kind"] == "choice":
        shown["choices"] = question["choices"]
    return shown


def question_event(ask: str, question: dict, status: str, answers: list[tuple[str, str | None]]) -> dict:
    """The event every page gets for a question: its counts so far; after the reveal, the answer, the
    reason, how many had it right and the nicknames of those who did."""
    counts = Counter(value for value, _ in answers)
    event = {"ask": ask, "question": public_question(question), "status": status,
             "counts": dict(counts), "total": len(answers)}
    if status == "revealed":
        key = question["answer_key"]
        right = sorted({name for value, name in answers if value == key and name})
        event["reveal"] = {"answer": key, "reason": question["reason"], "right": counts.get(key, 0),
                           "nicknames": right[:MAX_NICKNAMES_SHOWN],
                           "more_nicknames": max(0, len(right) - MAX_NICKNAMES_SHOWN)}
    return event


# ---- keys and anonymous students ----

KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: the key is read off a terminal and typed


def new_instructor_key() -> str:
    """Four groups of four characters from a 31-letter alphabet: 79 bits, typed in a few seconds."""
    return "-".join("".join(secrets.choice(KEY_ALPHABET) for _ in range(4)) for _ in range(4))


def same_key(given: str | None, key: str) -> bool:
    return given is not None and hmac.compare_digest(given.strip().lower().encode(), key.encode())


def _signature(secret: str, student: str) -> str:
    digest = hmac.new(secret.encode(), student.encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode()


def new_student(secret: str) -> str:
    """An anonymous student's token: a random id and the server's signature of it, so that answers can
    only come from ids this server gave out (each give-out is rate-limited per address)."""
    student = secrets.token_urlsafe(9)
    return f"{student}.{_signature(secret, student)}"


def student_id(secret: str, token: str) -> str:
    """The id in a token this server signed; WordlabError otherwise."""
    student, _, signature = token.partition(".")
    if not student or not hmac.compare_digest(signature.encode(), _signature(secret, student).encode()):
        raise WordlabError("this browser's class token is not one this server gave out: reload the page to join again")
    return student


class ClassConflict(Unsupported):
    """The class is not in a state that allows this (no class live, a closed question): 409 with the reason."""
