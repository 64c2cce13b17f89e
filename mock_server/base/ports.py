"""A free TCP port on 127.0.0.1, for the servers the fake's tooling starts: the pytest plugin's, the throwaway
PostgreSQL, the bench's and the hardening runs' (``contract_tests`` keeps its own copy: it imports only
``client`` and ``fixtures``)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
