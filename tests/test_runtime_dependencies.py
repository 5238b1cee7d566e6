"""Every third-party module the app imports at run time (backend/, trainer/) comes from a declared
runtime dependency or a feature's extra (redis): a package that only the `dev` extra pulls in would
work here and fail on a user's `pip install .`."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("backend", "trainer")


def imported_top_level_modules(path: Path) -> set[str]:
    """Top-level names of absolute imports anywhere in a file (function-level imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def declared_runtime_distributions() -> set[str]:
    """The dependencies and every extra's but the test tools' (`dev`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [line for extra, lines in project["optional-dependencies"].items() if extra != "dev" for line in lines]
    return {canonical(Requirement(line).name) for line in project["dependencies"] + extras}


def required_by(distributions: set[str]) -> set[str]:
    """The declared distributions and everything they require, transitively (as installed here)."""
    from importlib.metadata import PackageNotFoundError, requires

    seen, todo = set(), list(distributions)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            lines = requires(name) or []
        except PackageNotFoundError:
            continue
        for line in lines:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonical(requirement.name))
    return seen


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def runtime_sources() -> list[Path]:
    return sorted(path for package in RUNTIME_PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_each_third_party_import_comes_from_a_runtime_dependency():
    installed = packages_distributions()
    available = required_by(declared_runtime_distributions())
    not_third_party = set(RUNTIME_PACKAGES) | set(sys.stdlib_module_names)
    missing = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in runtime_sources()
        for module in imported_top_level_modules(path) - not_third_party
        if not any(canonical(dist) in available for dist in installed.get(module, []))
    }
    assert not missing, f"imports of no runtime dependency: {sorted(missing)}"
