"""CI holds the mutation budget: ``make mutate-check`` (mutmut over the fast subset of the core's rules -- the JSON
array rule, QryType comparisons, status ordering -- against the tests written to kill them) passes only while at
most ``scripts/mutate.py``'s BUDGET mutants survive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_surviving_mutants_stay_within_the_budget() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "mutate.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
