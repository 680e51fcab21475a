"""`provenance demo` plays the whole story and leaves a project a newcomer can explore."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.cli.demo import provenance_command


def test_demo_tells_the_whole_story_line_by_line_and_hints_commands_that_run(tmp_path: Path) -> None:
    """Output to a pipe (CliRunner's is not a terminal) has no progress bars, so the slow stage says it starts
    and each candidate gets a line; the closing commands run as printed from another folder, venv or not."""
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder), "--steps", "4"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    stages = [line.split()[0] for line in lines if re.match(r"  \S+ +[0-9.]+ s  ", line)]
    assert stages == ["project", "sketch", "generate", "select", "revise", "audit", "credits"]
    starting = lines.index("  generate       ...  loading the tiny model (built on first use), then 3 candidates")
    assert lines[starting - 1].lstrip().startswith("sketch")
    made = [re.search(r"^ +[0-9.]+ s  candidate (\d)/3 made in \d+ denoising steps$", line) for line in lines]
    assert [match.group(1) if match else None for match in made[starting + 1 : starting + 4]] == ["1", "2", "3"]
    assert lines[starting + 4].lstrip().startswith("generate")
    # The selection names the candidate as `generate` numbers it, and the asset by the id commands take.
    assert "Yamada Hanako picked candidate 2 (asset #3)" in result.stdout

    audit = json.loads((folder / "C012_audit.json").read_text())
    assert audit["verdict"] == "trusted"
    assert [s["kind"] for s in audit["stages"]] == ["sketch", "ai_generate", "select", "revise"]
    credits = (folder / "harbor_credits.txt").read_text(encoding="utf-8")
    for name in ("Tanaka Aiko", "Sato Ken", "Yamada Hanako", "Suzuki Ren", "田中 愛子", "鈴木 蓮"):
        assert name in credits
    assert "AI disclosure: tiny v1" in credits

    after = lines[lines.index("Next (each runs as printed, from any folder):") + 1 :]
    hints = [line for line in after if line.startswith("  ")]
    assert after[len(hints)].startswith("Open it in the browser: ")
    assert len(hints) == 3
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outputs = []
    for hint in hints:
        words = shlex.split(hint)
        assert words[: len(provenance_command(sys.argv[0]))] == provenance_command(sys.argv[0])
        assert Path(words[words.index("--project") + 1]) == folder.resolve()
        run = subprocess.run(words, cwd=elsewhere, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{hint}\n{run.stdout}{run.stderr}"
        outputs.append(run.stdout)
    assert "trusted" in outputs[0]
    assert re.search(r"^3 +harbor/C012 +ai_generate +2 of 3 +sato-ken +yamada-hanako +intact ", outputs[1], re.M)
    assert (folder / "harbor_credits.pdf").read_bytes().startswith(b"%PDF")

    again = CliRunner().invoke(main, ["demo", str(folder)])
    assert again.exit_code == 1 and "already holds a provenance project" in again.stderr


def test_the_hinted_executable_is_the_one_running(tmp_path: Path) -> None:
    """The console script by its full path; `python -m provenance` with this interpreter otherwise."""
    script = Path(sys.executable).parent / "provenance"
    if not script.is_file():
        pytest.skip(f"no console script beside {sys.executable}: the package is not installed in this environment")
    assert provenance_command(str(script)) == [str(script.resolve())]
    run = subprocess.run([*provenance_command(str(script)), "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("provenance, version")
    main_module = Path(__file__).parents[2] / "provenance" / "__main__.py"
    assert provenance_command(str(main_module)) == [sys.executable, "-m", "provenance"]
    assert provenance_command(str(tmp_path / "provenance")) == [sys.executable, "-m", "provenance"]  # no such file
