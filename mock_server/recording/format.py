"""The on-disk format of a recording: one JSON file per exchange plus an ordered manifest per session.

A session is a folder::

    recordings/NAME/
      manifest.json          {"format": 1, "name", "target", "started", "closed", "clean", "exchanges": [...]}
      exchanges/0001-createOrder.json
      exchanges/0002-getOrderDetails.json
      matching.json          (optional, editable) per-API input attributes stubs match on
      drift-rules.json       (optional, editable) ignore rules of the drift report

Every file is written to a temporary name and moved into place with ``os.replace`` (atomic on POSIX), the
exchange first and the manifest after it: a recorder killed at any instant leaves a manifest that lists only
complete exchanges, and a reader never sees half a file.  ``FORMAT_VERSION`` changes when a field changes
meaning; readers refuse a newer version instead of misreading it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EXCHANGES = "exchanges"
MATCHING = "matching.json"
RULES = "drift-rules.json"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")

Exchange = dict[str, Any]


class FormatError(ValueError):
    """A session folder that cannot be read (missing, not a session, a newer format)."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def write_json_atomic(path: Path, value: Any) -> None:
    """Write ``value`` as JSON to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, indent=1, sort_keys=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass
class Session:
    """A session folder and its manifest, appended to exchange by exchange."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, path: str | Path, *, target: str = "", mode: str = "record") -> Session:
        """A new session; refuses a folder that already holds one (``append`` opens it instead)."""
        folder = Path(path)
        if (folder / MANIFEST).exists():
            raise FormatError(f"{folder} already holds a recording (use --mode append to add to it)")
        folder.mkdir(parents=True, exist_ok=True)
        session = cls(
            folder,
            {
                "format": FORMAT_VERSION,
                "name": folder.name,
                "target": target,
                "mode": mode,
                "started": utc_now(),
                "closed": None,
                "clean": None,
                "exchanges": [],
            },
        )
        session.save()
        return session

    @classmethod
    def open(cls, path: str | Path) -> Session:
        """An existing session.  A folder whose manifest is missing (killed before the first write) but
        that holds exchange files is read from the files, in their numbered order."""
        folder = Path(path)
        manifest_path = folder / MANIFEST
        if manifest_path.exists():
            manifest = read_json(manifest_path)
        elif (folder / EXCHANGES).is_dir():
            manifest = _rebuild(folder)
        else:
            raise FormatError(f"{folder} is not a recording (no {MANIFEST})")
        version = manifest.get("format")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise FormatError(f"{folder}: format {version!r} is newer than this reader ({FORMAT_VERSION})")
        return cls(folder, manifest)

    def save(self) -> None:
        write_json_atomic(self.path / MANIFEST, self.manifest)

    @property
    def entries(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.manifest.setdefault("exchanges", [])
        return entries

    def append(self, exchange: Exchange) -> int:
        """Write one exchange (its file, then the manifest naming it); its sequence number."""
        seq = (max((int(e["seq"]) for e in self.entries), default=0)) + 1
        exchange = {"format": FORMAT_VERSION, "seq": seq, **exchange}
        name = f"{seq:04d}-{_SAFE.sub('_', str(exchange.get('api') or 'call'))[:60]}.json"
        write_json_atomic(self.path / EXCHANGES / name, exchange)
        self.entries.append(
            {
                "seq": seq,
                "file": f"{EXCHANGES}/{name}",
                "api": exchange.get("api", ""),
                "transport": exchange.get("transport", ""),
                "status": exchange.get("response", {}).get("status"),
            }
        )
        self.save()
        return seq

    def exchanges(self) -> list[Exchange]:
        """Every exchange the manifest lists, in order (a listed file that is unreadable is an error)."""
        out = []
        for entry in self.entries:
            try:
                out.append(read_json(self.path / entry["file"]))
            except (OSError, ValueError) as exc:
                raise FormatError(f"{self.path}: exchange {entry.get('file')} cannot be read: {exc}") from exc
        return out

    def files(self) -> list[Path]:
        """Every file of the session (for the secrets audit)."""
        return sorted(p for p in self.path.rglob("*") if p.is_file())

    def close(self, *, clean: bool, findings: list[str] | None = None) -> None:
        self.manifest["closed"] = utc_now()
        self.manifest["clean"] = clean
        if findings is not None:
            self.manifest["findings"] = findings
        self.save()

    def side_file(self, name: str, default: Any) -> Any:
        """An editable file beside the manifest (``matching.json``, ``drift-rules.json``), or ``default``."""
        path = self.path / name
        return read_json(path) if path.exists() else default


def _rebuild(folder: Path) -> dict[str, Any]:
    entries = []
    for path in sorted((folder / EXCHANGES).glob("[0-9]*.json")):
        try:
            exchange = read_json(path)
        except (OSError, ValueError):
            continue
        entries.append(
            {
                "seq": exchange.get("seq"),
                "file": f"{EXCHANGES}/{path.name}",
                "api": exchange.get("api", ""),
                "transport": exchange.get("transport", ""),
                "status": exchange.get("response", {}).get("status"),
            }
        )
    return {
        "format": FORMAT_VERSION,
        "name": folder.name,
        "closed": None,
        "clean": None,
        "exchanges": entries,
    }
