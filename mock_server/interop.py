"""(being written) The interop servlet face: ``/smcfs/interop/InteropHttpServlet``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("interop", __name__, url_prefix="/smcfs/interop")
