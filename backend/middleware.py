"""Security headers on every answer, as pure ASGI middleware (no per-request wrapper objects)."""

from backend import settings


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer (no inline script can run, whatever a run file holds),
    unless the route set its own (the /docs page allows its one inline script by hash)."""

    def __init__(self, app, policy: str = settings.CONTENT_SECURITY_POLICY):
        self.app = app
        self.headers = [(b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff")]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", ())}
                extra = [h for h in self.headers if h[0] not in names]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
