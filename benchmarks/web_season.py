"""Benchmark: time to first byte of every page of the web viewer on a season-sized project.

The season: 12 episodes x 300 cuts = 3,600 backgrounds, each with the rows of the demo's chain (sketch,
three AI candidates, the selection, the paint-over: 6 stages, 5 files, 5 credited people). One real chain
is made by ``run_demo`` (real diffusion with the tiny model, real signing); its rows are copied for every
cut with bulk inserts, and each copied file is a hard link to the demo's file, so every page has a real,
signed file behind it without 18,000 copies on disk. (An audit of a copy reads the demo's manifest and so
checks the demo's rows: the same work as a real audit, in a database of the season's size.)

The viewer runs in uvicorn on 127.0.0.1; each request is timed from sending it to its first byte (status
line and headers read) and to its last byte. Cold is the first request after the server starts; warm is
the median of the repeats. The baseline is the stylesheet, the least work any response does.

    python benchmarks/web_season.py [--episodes 12] [--cuts 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import uvicorn
from sqlalchemy import func, insert, select

from provenance.demo import run_demo
from provenance.project import Project
from provenance.store import Asset, Background, Contribution, Production, Stage, StageInput
from provenance.web import create_app

BOUNDARY = "benchmark-boundary"


def build_season(root: Path, episodes: int, cuts: int) -> tuple[Project, dict[str, int]]:
    """The demo project plus production ``season`` of ``episodes`` x ``cuts`` backgrounds; returns the
    project and a few ids the pages need (a final asset's id)."""
    run_demo(root, steps=2)
    project = Project.find(root)
    engine = project.store.engine
    with engine.begin() as connection:
        stages = [row._asdict() for row in connection.execute(select(Stage.__table__).order_by(Stage.id))]
        assets = [row._asdict() for row in connection.execute(select(Asset.__table__).order_by(Asset.id))]
        contributions = [row._asdict() for row in connection.execute(select(Contribution.__table__))]
        inputs = [row._asdict() for row in connection.execute(select(StageInput.__table__))]
        production_id = connection.execute(
            insert(Production.__table__).values(handle="season", title="Season One", native_title="第一期",
                                                studio="Harbor Studio")
        ).inserted_primary_key[0]  # fmt: skip
        next_stage = max(stage["id"] for stage in stages) + 1
        next_asset = max(asset["id"] for asset in assets) + 1
        rows: dict[str, list[dict[str, object]]] = {"background": [], "stage": [], "asset": [], "contribution": [],
                                                    "stage_input": []}  # fmt: skip
        background_id = 1000
        for episode in range(1, episodes + 1):
            for cut in range(1, cuts + 1):
                background_id += 1
                name = f"E{episode:02d}C{cut:03d}"
                rows["background"].append(
                    {"id": background_id, "production_id": production_id, "cut": name, "episode": str(episode)}
                )
                stage_ids = {stage["id"]: next_stage + index for index, stage in enumerate(stages)}
                asset_ids = {asset["id"]: next_asset + index for index, asset in enumerate(assets)}
                next_stage += len(stages)
                next_asset += len(assets)
                batch = str(uuid.uuid4())
                for stage in stages:
                    rows["stage"].append(stage | {
                        "id": stage_ids[stage["id"]], "uuid": str(uuid.uuid4()), "background_id": background_id,
                        "batch": batch if stage["batch"] else None,
                        "selection_id": stage_ids.get(stage["selection_id"]) if stage["selection_id"] else None,
                    })  # fmt: skip
                folder = root / "assets" / "season" / name
                folder.mkdir(parents=True)
                for asset in assets:
                    path = f"assets/season/{name}/{Path(asset['path']).name}"
                    os.link(root / asset["path"], root / path)
                    # A label of its own, as every real file has: the audit then finds one row by the label
                    # its (shared) file carries, the demo's, and audits that chain, at a real audit's cost.
                    rows["asset"].append(asset | {
                        "id": asset_ids[asset["id"]], "background_id": background_id,
                        "stage_id": stage_ids[asset["stage_id"]], "path": path,
                        "manifest_label": f"urn:c2pa:{uuid.uuid4()}" if asset["manifest_label"] else None,
                    })  # fmt: skip
                for contribution in contributions:
                    rows["contribution"].append(
                        contribution | {"id": None, "stage_id": stage_ids[contribution["stage_id"]]}
                    )
                for used in inputs:
                    rows["stage_input"].append(
                        {"stage_id": stage_ids[used["stage_id"]], "asset_id": asset_ids[used["asset_id"]]}
                    )
        for table in (Background, Stage, Asset, Contribution, StageInput):
            values = rows[str(table.__table__.name)]
            if table is Contribution:
                values = [{k: v for k, v in row.items() if k != "id"} for row in values]
            connection.execute(insert(table.__table__), values)
        final = max(asset["id"] for asset in rows["asset"])  # type: ignore[type-var]
    return project, {"final": int(final)}  # type: ignore[call-overload]


class Server:
    """The viewer in uvicorn on a free local port, in a thread of this process."""

    def __init__(self, project: Project) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(create_app(project), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


def timed(port: int, method: str, path: str, body: bytes | None = None) -> tuple[float, float, int]:
    """Seconds to the first byte and to the last, and the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"} if body else {}
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read(1)
    first = time.perf_counter() - started
    response.read()
    last = time.perf_counter() - started
    connection.close()
    return first, last, response.status


def upload_body(path: Path) -> bytes:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n\r\n'
    return head.encode() + path.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--cuts", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build the season in this folder and keep it (or reuse it).")
    arguments = parser.parse_args()

    root = arguments.keep or Path(tempfile.mkdtemp(prefix="provenance-web-bench-"))
    try:
        started = time.perf_counter()
        if arguments.keep and (root / "season" / ".provenance").is_dir():
            project = Project.find(root / "season")
            with project.store.engine.connect() as connection:
                newest = connection.execute(select(func.max(Asset.__table__.c.id))).scalar_one()
            ids = {"final": int(newest)}
        else:
            project, ids = build_season(root / "season", arguments.episodes, arguments.cuts)
        backgrounds = arguments.episodes * arguments.cuts
        print(f"built {backgrounds} backgrounds ({backgrounds * 6} stages) in {time.perf_counter() - started:.1f} s")
        middle = f"E{(arguments.episodes + 1) // 2:02d}C{(arguments.cuts + 1) // 2:03d}"
        last_page = -(-backgrounds // 48)
        final_file = project.absolute(f"assets/season/{middle}") / next(
            p.name for p in (project.absolute(f"assets/season/{middle}")).iterdir() if "revise" in p.name
        )
        requests = [
            ("baseline: stylesheet", "GET", "/static/style.css", None),
            ("productions", "GET", "/", None),
            ("production grid, page 1", "GET", "/productions/season", None),
            (f"production grid, page {last_page}", "GET", f"/productions/season?page={last_page}", None),
            ("background process sheet", "GET", f"/backgrounds/season/{middle}", None),
            ("asset audit", "GET", f"/assets/{ids['final']}", None),
            ("credit roll", "GET", "/productions/season/credits", None),
            ("verify (form)", "GET", "/verify", None),
            ("verify (upload a final)", "POST", "/verify", upload_body(final_file)),
            ("API audit", "POST", "/api/audit", upload_body(final_file)),
            ("API credits", "GET", "/api/productions/season/credits", None),
            ("API lineage", "GET", f"/api/assets/{ids['final']}/lineage", None),
        ]
        with Server(project) as server:
            results = []
            for label, method, path, body in requests:
                cold_first, cold_last, status = timed(server.port, method, path, body)
                assert status == 200, (label, status)
                warm = [timed(server.port, method, path, body) for _ in range(arguments.repeat)]
                results.append((label, cold_first, statistics.median(w[0] for w in warm), cold_last,
                                statistics.median(w[1] for w in warm)))  # fmt: skip
        baseline = results[0][2]
        print(f"\n{backgrounds} backgrounds; warm = median of {arguments.repeat}; baseline: the stylesheet\n")
        print("| page | first byte, cold | first byte, warm | warm / baseline | last byte, cold | last byte, warm |")
        print("|---|---|---|---|---|---|")
        for label, cold_first, warm_first, cold_last, warm_last in results:
            print(
                f"| {label} | {cold_first * 1000:.0f} ms | {warm_first * 1000:.0f} ms | "
                f"{warm_first / baseline:.0f}x | {cold_last * 1000:.0f} ms | {warm_last * 1000:.0f} ms |"
            )
        project.close()
    finally:
        if not arguments.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
