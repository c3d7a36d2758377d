"""Secrets made on first start: workers starting together must all end up with the same key."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

READ_SECRET = (
    "from pathlib import Path; import sys; from core.settings import _secret_from_file; "
    "print(_secret_from_file('secret_key', Path(sys.argv[1])))"
)


def test_workers_starting_together_share_one_complete_secret(tmp_path):
    for round_number in range(5):
        folder = tmp_path / f"var{round_number}"
        folder.mkdir()
        starts = [
            subprocess.Popen(
                [sys.executable, "-c", READ_SECRET, str(folder)],
                cwd=PROJECT_ROOT,
                env=os.environ,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        secrets = {process.communicate(timeout=60)[0].strip() for process in starts}
        assert len(secrets) == 1 and len(secrets.pop()) >= 40
        assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no draft left behind
