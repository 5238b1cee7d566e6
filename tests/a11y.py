"""Browser-test helpers any page's tests can reuse: axe-core (serious/critical) and horizontal overflow."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = ("serious", "critical")
_axe = Axe()


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[str]:
    """axe-core's violations of the given impacts on the page as it is now: 'rule: target, ...' lines."""
    results = _axe.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in results.response["violations"] if v["impact"] in impacts]


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when there is no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
