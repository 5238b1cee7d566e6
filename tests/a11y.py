"""Browser-test helpers any page's tests can reuse: axe-core (serious/critical) and horizontal overflow."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = ("serious", "critical")
_axe = Axe()


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[str]:
    """axe-core's violations of the given impacts on the page as it is now: 'rule: target, ...' lines.

    axe-core (a 0.5 MB script) is injected once per loaded document, not at every check: a test that checks
    each tab or mode of one page pays its parsing once (Axe.run would inject it again each time)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    response = page.evaluate("(options) => axe.run(document, options)", {"resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in response["violations"] if v["impact"] in impacts]


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when there is no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
