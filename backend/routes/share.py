"""The share control's questions: at which addresses can students open this server, and the QR code of a link."""

import os

from fastapi import APIRouter

from backend import settings
from backend.lan import share_info
from backend.qrcode import qr_rows
from backend.routing import OrjsonRoute
from backend.schemas import ErrorBody, ShareInfo, ShareQR, ShareQRRequest

router = APIRouter(prefix="/api", tags=["meta"], route_class=OrjsonRoute)


@router.get("/share", response_model=ShareInfo,
            description="The LAN URLs of this server, for the pages' share control (link and QR code); when it "
                        "listens on 127.0.0.1 only, says so and how to restart it for the class.")
async def share() -> ShareInfo:
    port = os.environ.get(settings.BIND_PORT_ENV)
    return ShareInfo(**share_info(os.environ.get(settings.BIND_HOST_ENV), int(port) if port else None))


@router.post("/share/qr", response_model=ShareQR, responses={413: {"model": ErrorBody}},
             description="A QR code of a link (error correction level M or better), as rows of modules to draw.")
async def share_qr(body: ShareQRRequest) -> ShareQR:
    return ShareQR(**qr_rows(body.text))
