"""The docs name only what exists: every path in docs/architecture.md and docs/run-format.md is a file or
folder of the repository, and architecture.md's module list holds every module of trainer/, backend/ and
frontend/js/ once, so a module added, moved or removed without its line fails here."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("docs/architecture.md", "docs/run-format.md")
PATH = re.compile(r"(?<![\w/.-])(?:trainer|backend|frontend|tests|bench|docs)/[\w./*<>-]*[\w*/]")
PLACEHOLDER = re.compile(r"<|NAME|NNN|KEY|\bN\b")


def named_paths(doc: str) -> list[str]:
    return sorted({p for p in PATH.findall((ROOT / doc).read_text(encoding="utf-8")) if not PLACEHOLDER.search(p)})


def module_block() -> str:
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    start = text.index("```\ntrainer/")
    return text[start:text.index("```\n", start + 4)]


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_the_docs_name_exists(doc):
    paths = named_paths(doc)
    assert len(paths) > 10, paths   # the pattern still finds the paths
    missing = [p for p in paths if not (list(ROOT.glob(p)) if "*" in p else (ROOT / p).exists())]
    assert not missing, f"{doc} names paths that do not exist: {missing}"


def test_the_module_list_holds_every_python_module_once():
    block = module_block()
    listed = re.findall(r"^((?:trainer|backend)/\S+\.py)", block, re.MULTILINE)
    modules = sorted(str(p.relative_to(ROOT)) for folder in ("trainer", "backend") for p in (ROOT / folder).rglob("*.py")
                     if p.name != "__init__.py")
    assert sorted(listed) == sorted(set(listed)), "a module is listed twice"
    assert sorted(listed) == modules


def test_the_module_list_names_every_page_module():
    block = module_block()
    names = set(re.findall(r"[\w-]+\.js\b", block))
    modules = {p.name for p in (ROOT / "frontend/js").rglob("*.js")}
    assert modules - names == set(), f"page modules missing from docs/architecture.md: {sorted(modules - names)}"
    assert names - modules == set(), f"docs/architecture.md names page modules that do not exist: {names - modules}"
