"""The API documentation page (/docs), with Swagger UI served from this machine.

FastAPI's own /docs and /redoc load their scripts and styles from public CDNs, so in a classroom
without internet they render nothing. The `fastapi-swagger` package ships the Swagger UI 5 bundle
(OpenAPI 3.1, which FastAPI emits); it is served under /docs/assets like the rest of the app.
The page's one inline script (Swagger UI's set-up) is allowed by its hash in the page's own
Content-Security-Policy; every other page allows no inline script at all.
"""

import base64
import hashlib
import re
from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from backend import settings

ASSETS = "/docs/assets"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def with_inline_scripts_allowed(page: HTMLResponse) -> HTMLResponse:
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in INLINE_SCRIPT.findall(page.body))
    policy = settings.CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}")
    page.headers["Content-Security-Policy"] = policy
    return page


def add_offline_docs(app: FastAPI) -> None:
    """For an app created with docs_url=None and redoc_url=None."""
    app.mount(ASSETS, StaticFiles(directory=resources.files("fastapi_swagger") / "resources"), name="docs-assets")
    page = with_inline_scripts_allowed(get_swagger_ui_html(
        openapi_url=app.openapi_url, title=f"{app.title} API", swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css", swagger_favicon_url=f"{ASSETS}/favicon-32x32.png"))

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return page
