"""Errors a user can cause and fix: the CLI and the backend print their message, never a traceback."""


class WordlabError(Exception):
    """Base for every error caused by input (a corpus, a flag, a run directory)."""


class CorpusError(WordlabError):
    """The corpus cannot be read or leaves nothing to train on."""


class RunFormatError(WordlabError):
    """A run directory is missing a file, has the wrong version, or does not validate."""
