"""Every example in every command's --help runs as printed, offline.

The examples are read from the help texts (the lines under "Example:" or "Examples:"), so a new one is run
too. Each runs in-process in a fresh copy of a prepared project (a sketch, three real candidates of the tiny
model, a paint-over of candidate 2, and the files the examples name); a `| jq ...` tail is left to jq, a `>`
redirect writes the output, and a `*` is expanded as a shell would. The examples that create what that
project already has (`init`, and adding people, a production, a background) run in order in an empty folder.
"""

from __future__ import annotations

import glob
import inspect
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from provenance import catalog, record
from provenance.cli import main
from provenance.demo import draw_layout, paint_over
from provenance.keys import CA_CERT, create_studio_keys
from provenance.project import Project

from ..conftest import SIZE, STEPS, read_image

# Examples that cannot run offline on a test machine, by how they start, and why. Keep this list short.
CANNOT_RUN = {
    'provenance init --studio "Harbor Studio" --db postgresql': "needs a PostgreSQL server",
    "provenance model add house-v2 /models/": "needs a real diffusers model folder under /models",
    "provenance model add juggernaut /models/": "needs a real SDXL checkpoint under /models",
    'provenance generate 1 --prompt "harbor" --operator sato-ken --model house-v2': "needs that model and a LoRA",
    "provenance demo /tmp/harbor-demo": "the whole story at full size in /tmp; tests/cli/test_demo.py plays it",
    # cli/audit.py (the bulk-audit work) names an illustrative stage id; `C012_revise_*.png` would run.
    "provenance audit assets/harbor/C012/C012_revise_1a2b3c4d.png": "its file name is an illustration",
    "provenance serve": "starts a server that runs until stopped; tests/web/ start it and drive it",
    "provenance keys issue bg-01 --ca-key ~/studio-ca/": "needs the studio CA key where a studio keeps it; "
    "tests/test_workstation_keys.py issues and revokes identities",
    "provenance keys revoke bg-01": "needs an identity issued with the studio CA key (above)",
}
# Examples that exit with another code by design, and why.
EXIT_CODES = {
    "provenance audit posted.jpg": (7, "matched-without-manifest: a copy without its manifest, found by its pixels"),
    "provenance audit final.png --json --strict": (9, "a trusted verdict with notes: tiny is a test model"),
    "provenance audit final.png posted.jpg": (7, "the worst of trusted (0) and matched-without-manifest (7)"),
}
# Commands whose examples create what the prepared project has: they run in order from an empty folder.
FROM_SCRATCH = ("init", "person add", "production add", "background add")


def help_examples() -> Iterator[tuple[str, str]]:
    """``(command path, example line)`` for every example in every command's help, in --help's order."""
    context = click.Context(main)

    def walk(command: click.Command, path: list[str]) -> Iterator[tuple[str, click.Command]]:
        yield " ".join(path), command
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None
                yield from walk(sub, [*path, name])

    for path, command in walk(main, []):
        in_examples = False
        continued = ""
        for line in inspect.cleandoc(command.help or "").splitlines():
            text = line.strip()
            if text in ("Example:", "Examples:"):
                in_examples = True
            elif not text:
                in_examples = False
            elif in_examples and text != "\b":
                if text.endswith("\\"):  # a shell line continued on the next, as people type long ones
                    continued += text[:-1]
                    continue
                yield path, continued + text
                continued = ""


EXAMPLES = list(help_examples())


def runnable(example: str) -> bool:
    return not any(example.startswith(start) for start in CANNOT_RUN)


def shell_words(example: str, folder: Path) -> tuple[list[str], str | None]:
    """The words a shell passes to `provenance` (up to a pipe, globs expanded), and a `>` redirect's file."""
    words = shlex.split(example, comments=True)
    if "|" in words:
        words = words[: words.index("|")]
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    expanded: list[str] = []
    for word in words:
        matches = sorted(glob.glob(word, root_dir=folder)) if "*" in word else []
        expanded += matches or [word]
    return expanded, target


def run_example(example: str, folder: Path) -> None:
    words, redirect = shell_words(example, folder)
    assert words[0] == "provenance", example
    result = CliRunner().invoke(main, words[1:])
    expected = next((code for start, (code, _) in EXIT_CODES.items() if example.startswith(start)), 0)
    assert result.exit_code == expected, f"{example}\n{result.output}{result.stderr}"
    if redirect:
        (folder / redirect).write_bytes(result.stdout_bytes)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Path:
    """The project the examples name: people, harbor/C012 and C013, assets #1-#5, and the files they use."""
    folder = tmp_path_factory.mktemp("examples") / "studio"
    project = Project.init(folder, studio="Harbor Studio")
    for name, native in (
        ("Tanaka Aiko", "田中 愛子"),
        ("Sato Ken", "佐藤 健"),
        ("Yamada Hanako", "山田 花子"),
        ("Suzuki Ren", "鈴木 蓮"),
        ("Kimura Yu", "木村 優"),
    ):
        catalog.add_person(project, name, native_name=native)
    catalog.add_production(project, "Harbor Lights", handle="harbor", native_title="港の灯り")
    catalog.add_background(project, "harbor", "C012")
    catalog.add_background(project, "harbor", "C013")
    draw_layout().resize(SIZE).save(folder / "layout.png")
    draw_layout().rotate(180).resize(SIZE).save(folder / "concept.png")
    sketch = record.record_sketch(project, "harbor/C012", folder / "layout.png", artist="tanaka-aiko")
    candidates = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="harbor", seed=5, steps=STEPS, candidates=3
    )
    candidate = read_image(project.absolute(candidates[1].path)).convert("RGB")
    paint_over(candidate.resize((512, 288))).resize(candidate.size).save(folder / "paintover.png")
    final = record.record_revision(project, str(candidates[1].asset_id), folder / "paintover.png", artist="suzuki-ren")
    assert [sketch.asset_id, *(c.asset_id for c in candidates), final.asset_id] == [1, 2, 3, 4, 5]
    shutil.copyfile(project.absolute(final.path), folder / "final.png")
    read_image(folder / "final.png").convert("RGB").save(folder / "posted.jpg", quality=85)
    read_image(folder / "paintover.png").transpose(0).save(folder / "genfill.png")
    create_studio_keys(folder.parent / "kumo-keys", "Studio Kumo")
    shutil.copyfile(folder.parent / "kumo-keys" / CA_CERT, folder / "kumo-ca.pem")
    project.close()
    return folder


def test_the_help_texts_have_examples_to_run() -> None:
    paths = {path for path, _ in EXAMPLES}
    assert {"init", "sketch", "generate", "audit", "credits", "asset list", "trust add"} <= paths
    assert all(example.startswith("provenance ") for _, example in EXAMPLES)
    for start in [*CANNOT_RUN, *EXIT_CODES]:
        assert any(example.startswith(start) for _, example in EXAMPLES), f"no longer in any help: {start}"


def test_the_examples_that_build_a_project_run_in_order_from_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    ran = [example for path, example in EXAMPLES if path in FROM_SCRATCH and runnable(example)]
    assert ran[0].startswith("provenance init ") and len(ran) >= 5
    for example in ran:
        run_example(example, tmp_path)


@pytest.mark.parametrize(
    "example",
    [example for path, example in EXAMPLES if path not in FROM_SCRATCH and runnable(example)],
)
def test_every_other_example_runs_in_the_prepared_project(
    example: str, prepared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "studio"
    shutil.copytree(prepared, folder)
    monkeypatch.chdir(folder)
    run_example(example, folder)
