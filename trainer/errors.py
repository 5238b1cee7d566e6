"""Errors a user can cause and fix: the CLI prints their message, the server maps each kind to one
HTTP status (backend/errors.py, which adds the errors only a request can cause), never a traceback."""


class WordlabError(Exception):
    """Base for every error caused by input (a corpus, a flag, a run directory, a request)."""

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.extra = extra  # more for the reader, e.g. suggestions=[...] or runs=[...]


class CorpusError(WordlabError):
    """The corpus cannot be read or leaves nothing to train on."""


class RunFormatError(WordlabError):
    """A run directory is missing a file, has the wrong version, or does not validate."""


class Diverged(WordlabError):
    """The learning rate was too large for the run: the loss or the weights stopped being finite. Refused in
    one line rather than written as a run: every number after that point would be inf or NaN. `what`: where
    and how it broke, without the advice (a kept diverged run's manifest says it)."""

    def __init__(self, message: str, what: str | None = None):
        super().__init__(message)
        self.what = what or message


class NotFound(WordlabError):
    """No run, tokenizer, file, step or word by that name (extra: what there is, or close matches)."""


class Broken(WordlabError):
    """It exists but cannot be served as it is on disk (bad manifest, hash mismatch, corrupt file)."""
