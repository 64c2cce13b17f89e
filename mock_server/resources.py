"""(being written) The resource REST face: ``/smcfs/restapi/order...``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("resources", __name__, url_prefix="/smcfs/restapi")
