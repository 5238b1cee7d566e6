"""The API documentation page (/docs), with Swagger UI served from this machine.

FastAPI's own /docs and /redoc load their scripts and styles from public CDNs, so in a classroom
without internet they render nothing. The `fastapi-swagger` package ships the Swagger UI 5 bundle
(OpenAPI 3.1, which FastAPI emits); it is served under /docs/assets like the rest of the app.
"""

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def add_offline_docs(app: FastAPI) -> None:
    """For an app created with docs_url=None and redoc_url=None."""
    app.mount(ASSETS, StaticFiles(directory=resources.files("fastapi_swagger") / "resources"), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} API",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png")
