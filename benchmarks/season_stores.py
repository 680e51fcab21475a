"""Benchmark: a season's credit roll on SQLite and on PostgreSQL, side by side in one run.

The season of ``credits_season.py`` (episodes x cuts backgrounds, 5 stages each, 60 people) is built
through the library in each store, then the roll is timed: ``credit_sheet`` (gather and build) and the txt
export, medians of several runs, and the ratio PostgreSQL / SQLite. PostgreSQL runs on a server this
script starts from the distribution's binaries, with fsync on (``tests/postgres_server.py``).

    python benchmarks/season_stores.py [--episodes 4] [--cuts 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

from provenance.credits.export import render
from provenance.credits.sheet import credit_sheet


def _season_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("credits_season", Path(__file__).with_name("credits_season.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=4)
    parser.add_argument("--cuts", type=int, default=300)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.postgres_server import PostgresServer, find_binaries, unavailable_reason

    if (reason := unavailable_reason()) is not None:
        raise SystemExit(f"PostgreSQL is needed for this comparison: {reason}")
    binaries = find_binaries()
    assert binaries is not None
    season = _season_module()
    base = Path(tempfile.mkdtemp(prefix="provenance-season-"))
    server = PostgresServer.start(binaries, durable=True)
    rows = {}
    try:
        for store in ("sqlite", "postgresql"):
            url = server.new_database("season") if store == "postgresql" else None
            started = time.perf_counter()
            project = season.build_season(base / store, arguments.episodes, arguments.cuts, arguments.people, url)
            build = time.perf_counter() - started
            sheet = season.median_seconds(lambda p=project: credit_sheet(p, "season"), arguments.repeat)
            txt = season.median_seconds(lambda p=project: render(credit_sheet(p, "season"), "txt"), arguments.repeat)
            rows[store] = (build, sheet, txt)
            project.close()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    backgrounds = arguments.episodes * arguments.cuts
    print(f"season: {backgrounds} backgrounds, {backgrounds * 5} stages, {arguments.people} people\n")
    print("| store | build (library, one transaction a stage) | credit_sheet (median) | txt export (median) |")
    print("|---|---|---|---|")
    for store, (build, sheet, txt) in rows.items():
        print(f"| {store} | {build:.1f} s | {sheet * 1000:.0f} ms | {txt * 1000:.0f} ms |")
    (sb, ss, st), (pb, ps, pt) = rows["sqlite"], rows["postgresql"]
    print(f"| PostgreSQL / SQLite | {pb / sb:.2f} | {ps / ss:.2f} | {pt / st:.2f} |")


if __name__ == "__main__":
    main()
