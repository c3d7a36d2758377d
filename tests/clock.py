"""Moving the clock of the processes a test starts (libfaketime); and the suite under a moved
clock: `python -m tests.clock WHEN [pytest arguments]`.

WHEN is a Ho Chi Minh City time, `YYYY-MM-DD HH:MM` or `HH:MM` (today). The whole run, and
every process it starts (servers, command-line calls, the browser), reads its clock from
libfaketime, which moves it to WHEN and then ticks at the real rate; the monotonic clock is
left alone, so timeouts and event loops behave as usual. A test that fixes a date, or that assumes
the day does not change while it runs, fails here: `make test-any-day` runs the suite on a day
far ahead and minutes before midnight.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from core.timezone import LOCAL_TZ


def faketime_library() -> Path:
    """libfaketime as the `libfaketime` package ships it (built with the package, so the test
    extras bring it on any machine)."""
    import libfaketime

    folder = Path(libfaketime.__file__).parent / "vendor" / "libfaketime" / "src"
    library = folder / "libfaketime.so.1"
    if not library.exists():
        raise SystemExit(f"libfaketime is not built: {library} is missing")
    return library


def parse_when(text: str, now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(LOCAL_TZ)
    try:
        if len(text) <= 5:
            clock = dt.time.fromisoformat(text)
            return dt.datetime.combine(now.date(), clock, LOCAL_TZ)
        return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)
    except ValueError as exc:
        raise SystemExit(f"WHEN must be 'YYYY-MM-DD HH:MM' or 'HH:MM', not {text!r}") from exc


def shift_seconds() -> int:
    """How far this process's clock is moved from the real one (0 when it is not)."""
    value = os.environ.get("FAKETIME", "") if os.environ.get("LD_PRELOAD") else ""
    try:
        return int(value)
    except ValueError:
        return 0


def clock_env(shift: int) -> dict[str, str]:
    """What a process needs in its environment for its clock to run `shift` seconds from the
    real one.

    A relative offset, never a start time: every process (each server worker, each browser
    renderer) started with it reads the same time, whenever it starts."""
    return {
        "LD_PRELOAD": str(faketime_library()),
        "FAKETIME": f"{shift:+d}",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        # Its fix for condition waits turns every timed wait of a thread into a busy loop.
        "FAKETIME_FORCE_MONOTONIC_FIX": "0",
        # File times stay real: faked ones would make Python recompile every module it imports.
        "NO_FAKE_STAT": "1",
    }


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit(__doc__)
    when = parse_when(argv[0])
    print(f"Running the suite with the clock at {when:%Y-%m-%d %H:%M} Ho Chi Minh City time")
    command = [sys.executable, "-m", "pytest", *argv[1:]]
    real_now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=shift_seconds())
    shift = round((when - real_now).total_seconds())
    return subprocess.call(command, env={**os.environ, **clock_env(shift)})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
