"""Benchmark: auditing a four-stage chain that ends in a 3840x2160 PNG, against a bare c2pa Reader.

The chain is built through the library: a 4K layout, one AI candidate from the tiny model (2 steps, so the
build stays short), the selection, and a paint-over made at full 4K resolution on the candidate (a sky,
lit windows, the layout re-inked), so the final file has the detail, and the size, of a painted plate.
Then, alternating in one run, ``audit_file`` on the final file (validation, chain walk, record comparison,
file checks, shares) and the baseline: reading the same bytes and validating them with c2pa's Reader under
the same trust settings. Target: audit / Reader <= 1.5. Also timed: the audit with ``deep=True``, which
re-hashes every recorded file.

    python benchmarks/audit_4k.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import c2pa
import numpy as np
from PIL import Image

from provenance import catalog, record
from provenance.audit import audit_file
from provenance.demo import draw_layout, paint_over
from provenance.imaging import load_image
from provenance.project import Project

SIZE = (3840, 2160)


def build_chain(root: Path) -> tuple[Project, Path]:
    project = Project.init(root / "studio", studio="Benchmark Studio")
    for name in ("Tanaka Aiko", "Sato Ken", "Yamada Hanako", "Suzuki Ren"):
        catalog.add_person(project, name)
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    catalog.add_background(project, "harbor", "C012")
    layout = root / "layout.png"
    draw_layout().resize(SIZE).save(layout)
    sketch = record.record_sketch(project, "harbor/C012", layout, artist="tanaka-aiko")
    [candidate] = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="harbor", seed=1, steps=2, strength=0.5
    )
    record.record_selection(project, str(candidate.asset_id), by="yamada-hanako")
    painted = root / "paint.png"
    full = load_image(project.absolute(candidate.path))
    # The demo's paint-over at 512 px gives the painted regions; they are applied to the 4K candidate.
    small = load_image(project.absolute(candidate.path)).resize((512, 288))
    changed = Image.fromarray(np.any(np.asarray(paint_over(small)) != np.asarray(small), axis=2)).resize(SIZE)
    Image.composite(paint_over(small).resize(SIZE), full, changed).save(painted)
    final = record.record_revision(project, str(candidate.asset_id), painted, artist="suzuki-ren")
    return project, project.absolute(final.path)


def bare_reader(path: Path, anchors: str) -> str:
    context = c2pa.Context.from_dict(
        {"trust": {"user_anchors": anchors}, "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    )
    with c2pa.Reader("image/png", io.BytesIO(path.read_bytes()), context=context) as reader:
        reader.json()
        reader.get_validation_results()
        return reader.get_validation_state() or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    try:
        started = time.perf_counter()
        project, final = build_chain(root)
        print(
            f"built the 4-stage 3840x2160 chain in {time.perf_counter() - started:.1f} s; "
            f"final file {final.stat().st_size / 1e6:.1f} MB"
        )
        anchors = project.trust_anchors
        assert bare_reader(final, anchors) == "Trusted"
        report = audit_file(project, final)
        assert report.verdict == "trusted" and len(report.stages) == 4, report.statement
        timings: dict[str, list[float]] = {"reader": [], "audit": [], "audit --deep": []}
        for _ in range(arguments.repeat):
            for name, action in (
                ("reader", lambda: bare_reader(final, anchors)),
                ("audit", lambda: audit_file(project, final)),
                ("audit --deep", lambda: audit_file(project, final, deep=True)),
            ):
                begun = time.perf_counter()
                action()
                timings[name].append(time.perf_counter() - begun)
        baseline = statistics.median(timings["reader"])
        print("\n| what | median | ratio to the bare Reader |\n|---|---|---|")
        for name, values in timings.items():
            print(
                f"| {name} | {statistics.median(values) * 1000:.1f} ms | {statistics.median(values) / baseline:.2f}x |"
            )
        shares = ", ".join(f"{s.kind} {s.share:.0%}" for s in report.stages if s.share is not None)
        print(f"\nshares in the audited chain: {shares}")
        project.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
