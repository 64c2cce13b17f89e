"""What every HTTP face shares (Sterling's doors, the control plane, the console): the namespace header and the
same-origin check, free of Flask so that the faces need not import each other."""

from __future__ import annotations

from urllib.parse import urlsplit

#: Selects the namespace (an isolated data space) on every call, Sterling's and the control plane's alike.
NAMESPACE_HEADER = "X-Sterling-Mock-Namespace"


def same_origin(site: str | None, origin: str | None, host_url: str) -> bool:
    """Whether a request comes from no browser or from a page of this server, given its ``Sec-Fetch-Site`` and
    ``Origin`` headers and its ``host_url`` (e.g. ``http://127.0.0.1:9080/``).  Browsers send both on every
    cross-site POST (a form or a ``text/plain`` fetch needs no preflight), so another site cannot drive the
    fake through the browser of someone who has it running."""
    if site is not None and site not in ("same-origin", "none"):
        return False
    if origin and origin != "null":
        parts = urlsplit(origin)
        return f"{parts.scheme}://{parts.netloc}" == host_url.rstrip("/")
    return origin != "null"
