"""Run every benchmark in bench/ and put their figures into docs/BENCHMARKS.md.

Each benchmark prints its own table (medians, and ratios against the baseline it names); this
script runs them one after another, never together (they would slow each other), and replaces
in each benchmark's section of docs/BENCHMARKS.md the date and the figures block, keeping the
explanations around them. A benchmark without a section gets one at the end. The machine, the
date and the commit go into the document's header line.

Run: .venv/bin/python bench/run_all.py [--quick] (`make bench`, `make bench QUICK=1`)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
HEADER_MARK = "Last run of `make bench`:"

# (script, arguments, arguments with --quick, title of a new section, its explanation)
BENCHMARKS = (
    (
        "feed_bench.py",
        [],
        [],
        "Calendar feed of 1,000 fairs",
        "",
    ),
    (
        "allocation_bench.py",
        [],
        ["--runs", "1"],
        "Stall allocation",
        "",
    ),
    (
        "map_import_bench.py",
        [],
        ["--quick"],
        "Checking an imported stall map",
        "",
    ),
    (
        "pass_bench.py",
        [],
        ["--quick"],
        "Passes and check-in",
        "",
    ),
    (
        "load_test.py",
        [],
        ["--quick"],
        "Load test: a fair day on several workers",
        "The real server (`manage serve`, several uvicorn workers) on PostgreSQL and Redis with "
        "the demo data, driven over loopback by another process.",
    ),
)


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cpu = model or platform.processor()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def run(script: str, arguments: list[str]) -> str:
    started = time.perf_counter()
    print(f"== bench/{script} {' '.join(arguments)}", flush=True)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    output = done.stdout.strip()
    print(output, flush=True)
    if done.returncode != 0:
        raise SystemExit(
            f"bench/{script} failed ({done.returncode}); docs/BENCHMARKS.md left as it was:\n"
            f"{done.stderr[-3000:]}"
        )
    print(f"   ({time.perf_counter() - started:.0f} s)\n", flush=True)
    return output


def section_bounds(text: str, script: str) -> tuple[int, int] | None:
    """Start and end of the section whose heading names bench/<script>."""
    headings = [m.start() for m in re.finditer(r"^## ", text, flags=re.MULTILINE)]
    for number, start in enumerate(headings):
        heading = text[start : text.index("\n", start)]
        if f"bench/{script}" in heading:
            end = headings[number + 1] if number + 1 < len(headings) else len(text)
            return start, end
    return None


def update_section(section: str, script: str, flags: str, today: str, figures: str) -> str:
    heading, _, body = section.partition("\n")
    heading = re.sub(rf"`bench/{re.escape(script)}[^`]*`", f"`bench/{script}{flags}`", heading)
    # The date the section's text begins with, and the first figures block.
    body = re.sub(r"^\n?\d{4}-\d{2}-\d{2}", lambda m: m.group(0)[:-10] + today, body, count=1)
    body = re.sub(r"```\n.*?\n```", lambda _: f"```\n{figures}\n```", body, count=1, flags=re.S)
    return f"{heading}\n{body}"


def new_section(title: str, script: str, flags: str, today: str, text: str, figures: str) -> str:
    return f"## {title} — `bench/{script}{flags}`\n\n{today}. {text}\n\n```\n{figures}\n```\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the benchmarks' quick variants")
    parser.add_argument(
        "--only", action="append", metavar="SCRIPT", help="run only these (e.g. load_test.py)"
    )
    args = parser.parse_args()
    today = dt.date.today().isoformat()
    outputs = []
    for script, full, quick, title, text in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        arguments = quick if args.quick else full
        outputs.append((script, " " + " ".join(arguments) if arguments else "", title, text))
        outputs[-1] += (run(script, arguments),)

    document = DOC.read_text(encoding="utf-8")
    header = (
        f"{HEADER_MARK} {today}, commit {commit()}, {machine()}"
        f"{', quick variants' if args.quick else ''}."
    )
    if HEADER_MARK in document:
        document = re.sub(rf"^{re.escape(HEADER_MARK)}.*$", header, document, flags=re.M)
    else:
        first_break = document.index("\n\n") + 2
        document = f"{document[:first_break]}{header}\n\n{document[first_break:]}"
    for script, flags, title, text, figures in outputs:
        bounds = section_bounds(document, script)
        if bounds:
            start, end = bounds
            updated = update_section(document[start:end], script, flags, today, figures)
            document = document[:start] + updated + document[end:]
        else:
            document = (
                document.rstrip("\n")
                + "\n\n"
                + new_section(title, script, flags, today, text, figures)
            )
    DOC.write_text(document, encoding="utf-8")
    print(f"docs/BENCHMARKS.md updated ({today})")


if __name__ == "__main__":
    main()
