"""Benchmark: start-up of whole processes, each against its baseline, alternated in one run.

* ``python -c "import click"`` against ``provenance --help`` (target: within 2x);
* a bare c2pa Reader process (imports c2pa, builds a Reader with the project's trust settings, prints the
  manifest store's JSON and the validation state) against ``provenance audit FILE`` on the same signed
  final of a four-stage 512 px chain (target: within 2x).

The chain is built through the library with the tests' stand-in engine (``tests/fake_engine.py``): the
audit reads the same manifests and rows whatever made the pixels, and no torch is imported. Every process
is started afresh with the same interpreter; medians of ``--rounds`` (default 15).

    python benchmarks/startup.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bulk_audit import build_chains  # noqa: E402

BARE_READER = """
import io, sys
import c2pa
path, anchors = sys.argv[1], sys.argv[2]
verify = {"remote_manifest_fetch": False, "ocsp_fetch": False}
context = c2pa.Context.from_dict({"trust": {"user_anchors": open(anchors).read()}, "verify": verify})
with open(path, "rb") as file, c2pa.Reader("image/png", io.BytesIO(file.read()), context=context) as reader:
    print(reader.json())
    print(reader.get_validation_state())
"""


def timed(command: list[str], cwd: Path, expect: int = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=120)
    seconds = time.perf_counter() - started
    assert done.returncode == expect, (command, done.returncode, done.stderr.decode()[-500:])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    arguments = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="provenance-startup-"))
    try:
        project, [final] = build_chains(root, 1)
        anchors = root / "anchors.pem"
        anchors.write_text(project.trust_anchors)
        project.close()
        (root / "bare_reader.py").write_text(BARE_READER)
        python = sys.executable
        # The audit exits 9 only with --strict; plain, a trusted chain exits 0 (tiny-model notes are notes).
        cases = {
            'python -c "import click"': [python, "-c", "import click"],
            "provenance --help": [python, "-m", "provenance", "--help"],
            "bare c2pa Reader process": [python, str(root / "bare_reader.py"), str(final), str(anchors)],
            "provenance audit FILE": [python, "-m", "provenance", "audit", str(final)],
        }
        for command in cases.values():  # warm the file cache and the bytecode, untimed
            timed(command, project.root)
        timings: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(arguments.rounds):
            for name, command in cases.items():
                timings[name].append(timed(command, project.root))
        medians = {name: statistics.median(values) for name, values in timings.items()}
        print(f"\n{arguments.rounds} rounds, alternated; final file {final.stat().st_size / 1e3:.0f} kB\n")
        print("| process | median | runs (s) | ratio |\n|---|---|---|---|")
        for name, baseline in (("provenance --help", 'python -c "import click"'),
                               ("provenance audit FILE", "bare c2pa Reader process")):  # fmt: skip
            for shown in (baseline, name):
                runs = ", ".join(f"{value:.3f}" for value in timings[shown])
                ratio = medians[shown] / medians[baseline]
                print(f"| {shown} | {medians[shown] * 1000:.0f} ms | {runs} | {ratio:.2f}x |")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
