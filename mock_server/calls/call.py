"""Call: who calls which API, through which door, wanting which format (what a door hands the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sterling_mock.client.wire import Doc


@dataclass
class Call:
    """Who calls what, through which door, wanting which format."""

    api: str
    ns: str = "default"
    user: str = ""
    transport: str = "rest"
    fmt: str = "json"
    progid: str = "RestServlet"
    template: Doc | None = None
    #: A stored template's id (``_templateId``), looked up with the call's controls when ``template`` is None.
    template_id: str = ""
    extras: dict[str, str] = field(default_factory=dict)
