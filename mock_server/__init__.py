"""The fake: a local, stateful IBM Sterling OMS.  Its layers, top to bottom, are the packages beside this module
(``doors``, ``control``/``console``, ``seeding``, ``calls``, ``apis``, ``domain``, ``store``, ``base``; see
CONTRIBUTING.md for the map).

What a user imports by name is offered here, loaded on first use so that importing the package (the pytest
plugin does) costs nothing:

- ``sterling_mock`` -- the in-process mode: ``with sterling_mock(): ...`` serves ``requests`` calls to Sterling
  URLs from a fake in this process (``doors.inprocess``);
- ``FakeControl`` -- the control plane of a running fake from Python (``control.helper``);
- ``create_app`` and ``Settings`` -- the Flask app factory and every setting (``doors.app``, ``base.settings``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load on first use
    from sterling_mock.mock_server.base.settings import Settings as Settings
    from sterling_mock.mock_server.control.helper import FakeControl as FakeControl
    from sterling_mock.mock_server.doors.app import create_app as create_app
    from sterling_mock.mock_server.doors.inprocess import sterling_mock as sterling_mock

_EXPORTS = {
    "sterling_mock": "sterling_mock.mock_server.doors.inprocess",
    "FakeControl": "sterling_mock.mock_server.control.helper",
    "create_app": "sterling_mock.mock_server.doors.app",
    "Settings": "sterling_mock.mock_server.base.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
