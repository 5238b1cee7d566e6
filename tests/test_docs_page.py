"""/docs in headless Chromium with every request off this machine refused, as in a classroom
without internet: Swagger UI must come from the server and render every API route."""

from urllib.parse import urlparse


def test_api_docs_render_offline(page, live_server):
    outside = []

    def only_this_server(route):
        if urlparse(route.request.url).netloc == urlparse(live_server).netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20000)
    paths = set(page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.dataset.path)"))
    assert {"/api/tokenize", "/api/runs/{run}/neighbors", "/api/runs/{run}/analogy", "/api/decode"} <= paths
    assert outside == [] and page.errors == []
