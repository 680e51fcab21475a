"""Benchmark: a season's finals audited in one process, against as many bare c2pa Reader validations.

A project gets ``--distinct`` four-stage chains at 512x512, recorded through the library (a layout of its
own for each, a candidate from the tests' stand-in engine ``tests/fake_engine.py`` so no torch loads, the
selection, a paint-over; every file really signed, every row really written). A folder then holds the
season's ``--finals`` final files (3,600 by default, 12 episodes x 300 cuts), as ``E01/C001.png`` and so on:
the finals of the distinct chains, and beyond them hard links to those finals in turn (each audit of a
link reads its file and its chain's rows: the same work as for a chain of its own, without building 3,600).

Timed, each as one whole process, alternated for ``--rounds``: ``provenance audit FOLDER --json`` (stdout to
a file; every line is then checked: as many reports as files, every one ``trusted``) and the baseline, one
Python process that builds one c2pa Context with the project's trust anchors and, for every file, reads
its bytes and runs a Reader over them (``json()``, validation results and state). Target: 30 files/s.

    python benchmarks/bulk_audit.py [--finals 3600] [--distinct 300] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from provenance import catalog, record
from provenance.demo import draw_layout, paint_over
from provenance.imaging import load_image
from provenance.project import Project

SIZE = (512, 512)
CUTS = 300  # a season's episode, as in benchmarks/credits_season.py

BARE_READERS = """
import io, sys
from pathlib import Path
import c2pa
anchors, listing = Path(sys.argv[1]).read_text(), Path(sys.argv[2]).read_text().splitlines()
settings = {"trust": {"user_anchors": anchors}, "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
context = c2pa.Context.from_dict(settings)
states = {}
for name in listing:
    with c2pa.Reader("image/png", io.BytesIO(Path(name).read_bytes()), context=context) as reader:
        reader.json()
        reader.get_validation_results()
        state = reader.get_validation_state()
    states[state] = states.get(state, 0) + 1
print(states)
"""


def build_chains(root: Path, count: int) -> tuple[Project, list[Path]]:
    """A project under ``root`` with ``count`` four-stage 512 px chains; the project and each chain's final."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.fake_engine import fake_generate

    project = Project.init(root / "studio", studio="Benchmark Studio")
    for name in ("Tanaka Aiko", "Sato Ken", "Yamada Hanako", "Suzuki Ren"):
        catalog.add_person(project, name)
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    base = np.asarray(draw_layout().resize(SIZE))
    layout, paint = root / "layout.png", root / "paint.png"
    finals = []
    for index in range(count):
        cut = f"E{index // CUTS + 1:02d}C{index % CUTS + 1:03d}"
        catalog.add_background(project, "harbor", cut)
        # Each layout its own (shifted and mirrored): a copy of another cut's would be refused as recorded work.
        shift = np.random.default_rng(index).integers(0, SIZE[0], 2)
        Image.fromarray(np.roll(base, tuple(shift), axis=(0, 1))[:, :: 1 if index % 2 else -1]).save(layout)
        sketch = record.record_sketch(project, f"harbor/{cut}", layout, artist="tanaka-aiko")
        [candidate] = record.record_generation(
            project, str(sketch.asset_id), operator="sato-ken", prompt="harbor at dusk", seed=index, steps=2,
            generator=fake_generate,
        )  # fmt: skip
        record.record_selection(project, str(candidate.asset_id), by="yamada-hanako")
        paint_over(load_image(project.absolute(candidate.path))).save(paint)
        final = record.record_revision(project, str(candidate.asset_id), paint, artist="suzuki-ren")
        finals.append(project.absolute(final.path))
    return project, finals


def season_folder(folder: Path, finals: list[Path], count: int) -> list[Path]:
    """``count`` files named by episode and cut, hard links to ``finals`` in turn."""
    files = []
    for index in range(count):
        path = folder / f"E{index // CUTS + 1:02d}" / f"C{index % CUTS + 1:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(finals[index % len(finals)], path)
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--finals", type=int, default=3600, help="files audited (a season: 3,600)")
    parser.add_argument("--distinct", type=int, default=300, help="chains built; the other finals link to them")
    parser.add_argument("--rounds", type=int, default=1)
    arguments = parser.parse_args()
    distinct = min(arguments.distinct, arguments.finals)
    root = Path(tempfile.mkdtemp(prefix="provenance-bulk-"))
    try:
        started = time.perf_counter()
        project, finals = build_chains(root, distinct)
        built = time.perf_counter() - started
        files = season_folder(root / "season", finals, arguments.finals)
        anchors, listing = root / "anchors.pem", root / "files.txt"
        anchors.write_text(project.trust_anchors)
        listing.write_text("".join(f"{path}\n" for path in files))
        (root / "bare_readers.py").write_text(BARE_READERS)
        project_root = project.root
        project.close()
        print(f"built {distinct} four-stage 512 px chains in {built:.1f} s; auditing {len(files)} finals")
        python = sys.executable
        audit = [python, "-m", "provenance", "--project", str(project_root), "audit", str(root / "season"), "--json"]
        bare = [python, str(root / "bare_readers.py"), str(anchors), str(listing)]
        timings: dict[str, list[float]] = {"bare Readers": [], "provenance audit DIR --json": []}
        for _ in range(arguments.rounds):
            begun = time.perf_counter()
            done = subprocess.run(bare, capture_output=True, text=True, check=True)
            timings["bare Readers"].append(time.perf_counter() - begun)
            assert done.stdout.strip() == f"{{'Trusted': {len(files)}}}", done.stdout
            with (root / "audit.jsonl").open("w") as output:
                begun = time.perf_counter()
                ran = subprocess.run(audit, stdout=output, stderr=subprocess.PIPE, text=True)
                timings["provenance audit DIR --json"].append(time.perf_counter() - begun)
            assert ran.returncode == 0, ran.stderr[-500:]
            lines = (root / "audit.jsonl").read_text().splitlines()
            verdicts = {json.loads(line)["verdict"] for line in lines}
            assert len(lines) == len(files) and verdicts == {"trusted"}, (len(lines), verdicts)
        baseline = statistics.median(timings["bare Readers"])
        print(f"\n| process ({len(files)} files, {arguments.rounds} round(s)) | median | runs (s) | files/s | ratio |")
        print("|---|---|---|---|---|")
        for name, values in timings.items():
            median = statistics.median(values)
            runs = ", ".join(f"{value:.1f}" for value in values)
            print(f"| {name} | {median:.1f} s | {runs} | {len(files) / median:.1f} | {median / baseline:.2f}x |")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
