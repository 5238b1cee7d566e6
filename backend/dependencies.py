"""Shared state handed to routes by FastAPI's dependency injection."""

from fastapi import Request

from backend.runs import RunRegistry
from backend.tokenizers import TokenizerRegistry


def get_runs(request: Request) -> RunRegistry:
    return request.app.state.runs


def get_tokenizers(request: Request) -> TokenizerRegistry:
    return request.app.state.tokenizers
