"""QR codes of the links students open, by segno (pure Python, no dependencies, ISO/IEC 18004 encoding and
mask choice): the share dialog draws the modules it returns, and `wordlab serve` prints one in the terminal."""

import sys

import segno
from segno import DataOverflowError

from backend.errors import TooLarge

ERROR_LEVEL = "m"  # at least M (15% of the code may be lost); segno raises it when the same size allows


def qr_code(text: str) -> segno.QRCode:
    """A full QR code (never a Micro QR, which phones' cameras do not read) of text; TooLarge if it cannot hold it."""
    try:
        return segno.make_qr(text, error=ERROR_LEVEL)
    except DataOverflowError:
        raise TooLarge(f"this link is {len(text.encode()):,} bytes, too long for a QR code: "
                       "copy the link instead") from None


def qr_rows(text: str) -> dict:
    """The code as rows of '0' (light) and '1' (dark) modules, without the quiet zone."""
    code = qr_code(text)
    return {"version": code.version, "error": code.error, "size": len(code.matrix),
            "rows": ["".join("1" if dark else "0" for dark in row) for row in code.matrix]}


def print_qr(text: str) -> None:
    """The code on standard output, two rows of modules a line, with its quiet zone."""
    qr_code(text).terminal(out=sys.stdout, compact=True)
