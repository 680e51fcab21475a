"""Record one background's stages through the Python API, then audit the final file and print credits.

Run it with ``python examples/record_and_audit.py [FOLDER]``; it makes a new project in FOLDER (default: a
temporary folder) using the built-in tiny model.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from provenance import catalog, record
from provenance.audit import AuditReport, audit_file
from provenance.credits.formats import render_txt
from provenance.credits.sheet import credit_sheet
from provenance.demo import draw_layout, paint_over
from provenance.imaging import load_image
from provenance.project import Project


def main(folder: Path | None = None) -> AuditReport:
    root = folder or Path(tempfile.mkdtemp(prefix="provenance-example-"))
    project = Project.init(root / "project", studio="Example Studio")
    catalog.add_person(project, "Mori Sakura", native_name="森 さくら")
    catalog.add_person(project, "Ito Daichi", native_name="伊藤 大地")
    catalog.add_production(project, "Night Train", handle="night-train", native_title="夜汽車")
    catalog.add_background(project, "night-train", "C001")

    layout = root / "layout.png"
    draw_layout().resize((256, 144)).save(layout)
    sketch = record.record_sketch(project, "night-train/C001", layout, artist="mori-sakura")
    [candidate] = record.record_generation(
        project, str(sketch.asset_id), operator="ito-daichi", prompt="station at night", seed=1, steps=8
    )
    record.record_selection(project, str(candidate.asset_id), by="mori-sakura")
    painted = root / "painted.png"
    paint_over(load_image(project.absolute(candidate.path)).resize((512, 288))).resize((256, 144)).save(painted)
    final = record.record_revision(project, str(candidate.asset_id), painted, artist="mori-sakura")

    report = audit_file(project, project.absolute(final.path))
    print(f"{final.path}: {report.verdict}, stages: {', '.join(s.kind for s in report.stages)}")
    print(render_txt(credit_sheet(project, "night-train")))
    project.close()
    return report


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
