"""Shared fixtures: a fresh project in tmp_path, the tiny model in a per-session cache, a recorded chain."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from provenance import catalog, record
from provenance.demo import draw_layout, paint_over
from provenance.project import Project

from .backends import database_url, postgres  # noqa: F401 - fixtures for the tests that run on both stores

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("PROVENANCE_UPDATE_GOLDEN") == "1"

# Small pictures and few steps: the tests check behaviour, the benchmarks check speed.
SIZE = (128, 72)
STEPS = 4


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test session builds the tiny model afresh, as a new user's first run does."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["PROVENANCE_CACHE"] = str(cache)
    for variable in ("PROVENANCE_DB", "PROVENANCE_PROJECT"):
        os.environ.pop(variable, None)
    return cache


@pytest.fixture(scope="session", autouse=True)
def engine_in_this_process() -> None:
    """`provenance generate` runs the engine in a child process unless torch is loaded in its own
    (provenance.engine.process). Loaded here once, CliRunner's generations run in the test's process, where a
    test's monkeypatch of the engine reaches it; tests/test_engine_process.py runs the child as a user's
    command does."""
    import torch  # noqa: F401


def _new_project(folder: Path) -> Project:
    """A project with four people, a production and one background, harbor/C012."""
    project = Project.init(folder, studio="Test Studio")
    catalog.add_person(project, "Tanaka Aiko", native_name="田中 愛子", organization="Test Studio")
    catalog.add_person(project, "Sato Ken", native_name="佐藤 健")
    catalog.add_person(project, "Yamada Hanako", native_name="山田 花子")
    catalog.add_person(project, "Suzuki Ren", native_name="鈴木 蓮")
    catalog.add_production(project, "Harbor Lights", handle="harbor", native_title="港の灯り")
    catalog.add_background(project, "harbor", "C012")
    return project


@dataclass(frozen=True)
class Chain:
    sketch: record.RecordedFile
    candidates: list[record.RecordedFile]
    selection: record.RecordedSelection
    final: record.RecordedFile

    @property
    def chosen(self) -> record.RecordedFile:
        return self.candidates[1]


def _record_chain(project: Project, layout_file: Path, work: Path) -> Chain:
    """sketch -> 3 AI candidates -> selection of the second -> paint-over, recorded through the library."""
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko", tool="Krita")
    candidates = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="harbor", seed=5, steps=STEPS, candidates=3
    )
    selection = record.record_selection(project, str(candidates[1].asset_id), by="yamada-hanako")
    paint_file = work / "paint.png"
    candidate_image = read_image(project.absolute(candidates[1].path)).convert("RGB")
    paint_over(candidate_image.resize((512, 288))).resize(candidate_image.size).save(paint_file)
    final = record.record_revision(project, str(candidates[1].asset_id), paint_file, artist="suzuki-ren")
    return Chain(sketch, candidates, selection, final)


@pytest.fixture(scope="session")
def project_template(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Path:
    """The fresh project, made once per session; each test works on a copy (records and files are relative)."""
    folder = tmp_path_factory.mktemp("templates") / "project"
    _new_project(folder).close()
    return folder


@pytest.fixture(scope="session")
def chain_template(project_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Chain]:
    """The project with a recorded chain (real diffusion, real signing), made once per session."""
    work = tmp_path_factory.mktemp("chain-work")
    folder = work / "project"
    shutil.copytree(project_template, folder)
    layout = work / "layout.png"
    draw_layout().resize(SIZE).save(layout)
    project = Project.find(folder)
    chain = _record_chain(project, layout, work)
    project.close()
    return folder, chain


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Project]:
    """A project of its own for each test, with a recorded chain in it when the test asks for ``chain``."""
    if "chain" in request.fixturenames:
        template, _ = request.getfixturevalue("chain_template")
    else:
        template = request.getfixturevalue("project_template")
    shutil.copytree(template, tmp_path / "studio")
    project = Project.find(tmp_path / "studio")
    yield project
    project.close()


@pytest.fixture
def layout_file(tmp_path: Path) -> Path:
    path = tmp_path / "layout.png"
    draw_layout().resize(SIZE).save(path)
    return path


@pytest.fixture
def chain(project: Project, chain_template: tuple[Path, Chain]) -> Chain:
    """The chain recorded in ``project``: the same ids and paths as the session's template."""
    return chain_template[1]


def engine_device() -> str:
    """The device the engine picks on this machine (CUDA, else MPS, else the CPU)."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"


def load_script(path: Path) -> ModuleType:
    """Import a script from examples/ or benchmarks/ as a module, to call its functions."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_image(path: Path) -> Image.Image:
    """Decode a file fully and close it (a lazily opened image would leak its handle)."""
    with Image.open(path) as image:
        image.load()
        return image.copy()


def snapshot(project: Project) -> dict[str, object]:
    """Everything a failed command must leave as it was: the files and the rows of every table."""
    from sqlmodel import SQLModel

    files = sorted(
        str(path.relative_to(project.root))
        for path in project.root.rglob("*")
        if path.is_file() and not path.name.endswith(("-journal", "-wal", "-shm"))
    )
    rows = {}
    with project.store.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows[table.name] = [tuple(map(str, row)) for row in connection.execute(table.select())]
    return {"files": files, "rows": rows}


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; PROVENANCE_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with PROVENANCE_UPDATE_GOLDEN=1 once"
    assert text == path.read_text(encoding="utf-8")


def normalised_json(data: object, volatile: set[str]) -> str:
    """JSON text with the values of volatile keys (times, ids, digests) replaced by a marker."""

    def scrub(value: object) -> object:
        if isinstance(value, dict):
            return {k: ("<volatile>" if k in volatile else scrub(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(item) for item in value]
        return value

    return json.dumps(scrub(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
