"""The addresses students can open: this machine's LAN addresses, and what a server bound to a host offers.

`wordlab serve` prints them at start-up; GET /api/share (backend/routes/share.py) gives them to the
pages' share control, which turns the current view into a link and a QR code.
"""

import socket

# A documentation-only address (TEST-NET-2): connecting a UDP socket to it only asks the kernel which
# local address its route would use; nothing is sent.
ROUTE_PROBE = ("198.51.100.1", 9)
ALL_INTERFACES = ("0.0.0.0", "::")
RESTART_HINT = "make serve HOST=0.0.0.0"


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses that students can reach: the one its default route
    leaves from, and those its own name resolves to (on Debian that is often only 127.0.1.1)."""
    addresses = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            addresses.add(probe.getsockname()[0])
    except OSError:  # no route at all: a machine on no network
        pass
    try:
        addresses.update(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return sorted(a for a in addresses if not a.startswith("127.") and a != "0.0.0.0")


def url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def is_loopback(host: str) -> bool:
    return host == "localhost" or host.startswith("127.") or host == "::1"


def share_info(host: str | None, port: int | None) -> dict:
    """What the share control shows for a server bound to host:port (None: not started by `wordlab serve`)."""
    if host is None or port is None:
        return {"host": None, "port": None, "lan": False, "urls": [],
                "message": "This server was not started with wordlab serve, so its address is unknown. "
                           f"To let students join, restart it with: {RESTART_HINT}"}
    if is_loopback(host):
        return {"host": host, "port": port, "lan": False, "urls": [],
                "message": f"The server listens on {host} only: no other computer can open it. "
                           f"To let students join, restart it with: {RESTART_HINT}"}
    addresses = lan_addresses() if host in ALL_INTERFACES else [host]
    message = ("Students on the same network open this link or scan the code." if addresses else
               "The server listens on every interface, but this computer has no network address other than "
               "its own loopback: connect it to the class network (Wi-Fi or cable) and reopen this.")
    return {"host": host, "port": port, "lan": bool(addresses), "urls": [url(a, port) for a in addresses],
            "message": message}
