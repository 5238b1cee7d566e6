"""Names of runs and tokenizers: they double as directory or file names and URL segments, so one rule says
which are allowed (no separator, no leading dot, nothing a path could be built from)."""

import re

from trainer.errors import RunFormatError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def is_valid_name(name) -> bool:
    return isinstance(name, str) and bool(NAME_RE.fullmatch(name)) and not name.endswith(".") and ".." not in name


def check_name(name, what: str = "run") -> str:
    """The name itself, or a one-line error saying what a name may hold."""
    if not is_valid_name(name):
        raise RunFormatError(f"invalid {what} name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                             f"starting with a letter or digit")
    return name
