"""The engine in a child process (provenance.engine.process), as `provenance generate` runs it.

The child must make the pictures this process makes, report every step, bring back the engine's errors as
they are, turn its own death into one clear error, and never outlive the command that started it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenance import catalog, record
from provenance.demo import draw_layout
from provenance.engine import GenerationSettings, ModelSource, generate, resolve_model
from provenance.engine.process import EngineProcess, engine_for_this_process
from provenance.errors import ModelError
from provenance.project import Project

from .conftest import Chain

pytestmark = pytest.mark.diffusion

SETTINGS = GenerationSettings(prompt="harbor at dusk", seeds=[3, 4], steps=4, strength=0.5)


def _picture() -> Image.Image:
    return draw_layout().resize((64, 48))


def test_the_child_makes_what_this_process_makes_and_reports_every_step() -> None:
    source = resolve_model("tiny")
    steps: list[tuple[int, int, int]] = []
    with EngineProcess.start() as child:
        run = child(source, _picture(), SETTINGS, on_step=lambda *step: steps.append(step))
    here = generate(source, _picture(), SETTINGS)
    assert steps == [(candidate, step, 2) for candidate in (0, 1) for step in (1, 2)]
    assert (run.width, run.height, run.steps_run, run.scheduler) == (here.width, here.height, 2, here.scheduler)
    assert [candidate.seed for candidate in run.candidates] == [3, 4]
    # Plain strings: a torch type in the run would make unpickling it import torch here (~1 s).
    assert all(type(version) is str for version in run.versions.values())
    for theirs, ours in zip(run.candidates, here.candidates, strict=True):
        # Two processes, the same code and seed: the same picture up to float rounding in the kernels.
        difference = np.abs(np.asarray(theirs.image, dtype=int) - np.asarray(ours.image, dtype=int))
        assert difference.max() <= 2, difference.max()


def test_what_the_child_prints_before_it_serves_does_not_reach_the_replies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sitecustomize or a .pth file runs in the child before any of this package does, and may print.
    (tmp_path / "sitecustomize.py").write_text('print("hello from sitecustomize", flush=True)\n')
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    with EngineProcess.start() as child:
        run = child(resolve_model("tiny"), _picture(), SETTINGS)
    assert [candidate.seed for candidate in run.candidates] == [3, 4]


def test_an_engine_error_in_the_child_is_raised_here_as_it_is(tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model_index.json").write_text("{")
    source = ModelSource("broken-model", broken, "sd")
    with EngineProcess.start() as child, pytest.raises(ModelError) as raised:
        child(source, _picture(), SETTINGS)
    with pytest.raises(ModelError) as here:
        generate(source, _picture(), SETTINGS)
    assert str(raised.value) == str(here.value)
    assert "cannot be loaded" in str(raised.value)


def test_a_child_that_dies_is_one_clear_error() -> None:
    with EngineProcess.start() as child:
        child._process.kill()
        with pytest.raises(ModelError, match=r"the engine process ended unexpectedly \(killed by signal 9"):
            child(resolve_model("tiny"), _picture(), SETTINGS)


def test_a_child_that_died_before_taking_a_job_larger_than_a_pipe_is_one_clear_error() -> None:
    # The job outgrows the pipe and the writer's buffer: what is left unsent must not turn the clear error into
    # a BrokenPipeError on the way out (which the command line reads as `| head` going away: exit 141, silent).
    large = Image.new("RGB", (1024, 1024))
    with pytest.raises(ModelError, match=r"the engine process ended unexpectedly \(killed by signal 9"):
        with EngineProcess.start() as child:
            child._process.kill()
            child._process.wait()
            child(resolve_model("tiny"), large, SETTINGS)


def test_a_command_that_stops_before_its_job_ends_the_child() -> None:
    child = EngineProcess.start()
    process = child._process
    child.close()
    assert process.returncode is not None


def test_a_process_that_has_torch_already_runs_the_engine_itself() -> None:
    assert "torch" in sys.modules  # conftest loads it
    with engine_for_this_process() as generator:
        assert not isinstance(generator, EngineProcess)


def test_where_no_child_can_start_the_engine_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes_left() -> EngineProcess:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.delitem(sys.modules, "torch")  # as in a fresh `provenance generate`; put back after the test
    monkeypatch.setattr(EngineProcess, "start", staticmethod(no_processes_left))
    with engine_for_this_process() as generator:
        assert not isinstance(generator, EngineProcess)


# A parent that starts the child, sends it a long job and prints the child's pid at the first step.
PARENT = textwrap.dedent(
    """
    import sys
    from PIL import Image
    from provenance.engine import GenerationSettings, resolve_model
    from provenance.engine.process import EngineProcess

    child = EngineProcess.start()
    def first_step(candidate, step, total):
        print(child._process.pid, flush=True)
    settings = GenerationSettings(prompt="x", seeds=list(range(50)), steps=50, strength=1.0)
    child(resolve_model("tiny"), Image.new("RGB", (64, 64)), settings, on_step=first_step)
    """
)


def test_the_child_ends_when_its_parent_is_killed_while_it_denoises() -> None:
    _assert_the_child_ends_with_its_parent(PARENT)


# A parent that starts the child and hands it a job that keeps it busy without a step to report (as loading a
# large model or encoding a large input does: the child learns nothing from its pipes then), printing its pid.
BUSY_PARENT = textwrap.dedent(
    """
    import pickle, time
    from provenance.engine.process import EngineProcess

    class LongWork:
        def __reduce__(self):
            return (time.sleep, (600,))

    child = EngineProcess.start()
    pickle.dump(LongWork(), child._process.stdin)
    child._process.stdin.flush()
    print(child._process.pid, flush=True)
    time.sleep(600)
    """
)


def test_the_child_ends_when_its_parent_is_killed_while_it_has_no_step_to_report() -> None:
    _assert_the_child_ends_with_its_parent(BUSY_PARENT)


def _assert_the_child_ends_with_its_parent(parent_script: str) -> None:
    """Run ``parent_script`` (it prints its child's pid), SIGKILL it, and wait for the child to go too."""
    parent = subprocess.Popen([sys.executable, "-c", parent_script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 30
    try:
        while _running(child_pid):
            assert time.monotonic() < deadline, "the engine process outlived its parent"
            time.sleep(0.05)
    finally:
        if _running(child_pid):
            os.kill(child_pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether ``pid`` is still a live process (not gone, not a zombie waiting for init)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


# The command line, writing at exit whether its own process loaded torch (to the file named first).
REPORTING_CLI = textwrap.dedent(
    """
    import atexit, pathlib, sys
    marker = pathlib.Path(sys.argv.pop(1))
    atexit.register(lambda: marker.write_text(str("torch" in sys.modules)))
    from provenance.cli import run
    sys.argv[0] = "provenance"
    run()
    """
)


def test_the_command_line_generates_through_the_child(tmp_path: Path) -> None:
    """A real `provenance generate` process: torch is not loaded there, so the engine runs in a child."""
    project = Project.init(tmp_path / "studio", studio="Test Studio")
    catalog.add_person(project, "Sato Ken")
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    catalog.add_background(project, "harbor", "C012")
    layout = tmp_path / "layout.png"
    _picture().save(layout)
    sketch = record.record_sketch(project, "harbor/C012", layout, artist="sato-ken")
    project.close()
    resolve_model("tiny")  # built here if need be: building it loads torch in whichever process does it
    command = [sys.executable, "-m", "provenance", "--project", str(tmp_path / "studio"), "generate"]
    arguments = [str(sketch.asset_id), "--prompt", "harbor", "--operator", "sato-ken", "--steps", "4"]
    torch_loaded = tmp_path / "torch-loaded"
    result = subprocess.run(
        [sys.executable, "-c", REPORTING_CLI, str(torch_loaded), *command[3:], *arguments, "--candidates", "2",
         "--seed", "9", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"},
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert [item["id"] for item in json.loads(result.stdout)] == [2, 3]
    # The candidates were made, and the command's own process never loaded torch: the child made them.
    assert torch_loaded.read_text() == "False"
    refused = subprocess.run(
        [*command, *arguments, "--model", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=300
    )
    assert refused.returncode != 0
    assert refused.stderr.count("\n") == 1 and "not found" in refused.stderr


# The command line with no usable temporary folder: each folder tempfile would try is gone.
NO_TEMPORARY_FOLDER = textwrap.dedent(
    """
    import sys, tempfile
    tempfile._candidate_tempdir_list = lambda: ["/nonexistent/provenance-test"]
    from provenance.cli import run
    sys.argv[0] = "provenance"
    run()
    """
)


def test_with_no_usable_temporary_folder_the_command_says_what_to_do(project: Project, chain: Chain) -> None:
    # Neither the engine's process (its stderr is a temporary file) nor torch itself can start then. torch set
    # TORCHINDUCTOR_CACHE_DIR when it loaded here; with it a new process's torch needs no temporary folder.
    arguments = ["--project", str(project.root), "generate", str(chain.sketch.asset_id), "--prompt", "harbor"]
    result = subprocess.run(
        [sys.executable, "-c", NO_TEMPORARY_FOLDER, *arguments, "--operator", "sato-ken", "--steps", "2"],
        capture_output=True,
        text=True,
        env={name: value for name, value in os.environ.items() if name != "TORCHINDUCTOR_CACHE_DIR"},
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "set TMPDIR to a writable folder" in result.stderr
