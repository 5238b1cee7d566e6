"""The share control's question: at which addresses can students open this server?"""

import os

from fastapi import APIRouter

from backend import settings
from backend.lan import share_info
from backend.schemas import ShareInfo

router = APIRouter(prefix="/api", tags=["meta"])


@router.get("/share", response_model=ShareInfo,
            description="The LAN URLs of this server, for the pages' share control (link and QR code); when it "
                        "listens on 127.0.0.1 only, says so and how to restart it for the class.")
async def share() -> ShareInfo:
    port = os.environ.get(settings.BIND_PORT_ENV)
    return ShareInfo(**share_info(os.environ.get(settings.BIND_HOST_ENV), int(port) if port else None))
