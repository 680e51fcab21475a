"""A hostile user at the command line: every bad input gets one error line, a documented exit code, and changes nothing.

Each case takes a copy of one recorded project (sketch -> three AI candidates -> a selection -> a paint-over,
credits locked), damages or prepares what it needs, runs one command through the CLI and checks:

* the exit code: 1 for an input error, 2 for a mistyped command line (click's usage errors), 130 for Ctrl-C,
  or the code the command documents (4: a credit sign-off that was altered);
* stderr: exactly one line, ``Error: ...``, saying what is wrong (never ``unexpected``, never a traceback);
* nothing changed: every file under the case's folder (the project and the files around it) byte for byte,
  and every row of the database (``snapshot()``).

Hostile text (control and bidi characters in names) is covered in tests/cli/test_plain_text_cli.py, trust
anchors in tests/test_trust.py and signing keys in tests/test_keys.py; they are not repeated here.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy.exc import SQLAlchemyError

from provenance import catalog, engine, record
from provenance.cli import main
from provenance.credits import lock as credit_lock
from provenance.demo import draw_layout, paint_over
from provenance.engine.tiny import tiny_model_folder
from provenance.errors import ProvenanceError
from provenance.keys import SigningIdentity
from provenance.model_registry import add_model
from provenance.pending_files import PendingFiles
from provenance.project import Project
from provenance.record import writing

from . import foreign_manifests as foreign
from .conftest import SIZE, read_image, snapshot

STEPS = 2
TOO_LONG_STUDIO = "Kyoto Background Art Department Company Ltd."  # 44 characters; certificates hold 42


# --- one recorded project per module ----------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    folder: Path  # holds studio/ (the project) and the artists' files beside it
    partner: SigningIdentity


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """Built once: asset 1 the sketch, 2-4 the candidates (3 selected), 5 the paint-over; credits locked."""
    folder = tmp_path_factory.mktemp("hostile")
    project = Project.init(folder / "studio", studio="Test Studio")
    for name in ("Tanaka Aiko", "Sato Ken", "Yamada Hanako", "Suzuki Ren"):
        catalog.add_person(project, name)
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    catalog.add_background(project, "harbor", "C012")
    catalog.add_background(project, "harbor", "C013")
    draw_layout().resize(SIZE).save(folder / "layout.png")
    sketch = record.record_sketch(project, "harbor/C012", folder / "layout.png", artist="tanaka-aiko")
    candidates = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="harbor", seed=5, steps=STEPS, candidates=3
    )
    record.record_selection(project, str(candidates[1].asset_id), by="yamada-hanako")
    candidate = read_image(project.absolute(candidates[1].path)).convert("RGB")
    paint_over(candidate.resize((512, 288))).resize(candidate.size).save(folder / "paint.png")
    final = record.record_revision(project, str(candidates[1].asset_id), folder / "paint.png", artist="suzuki-ren")
    assert [sketch.asset_id, *(c.asset_id for c in candidates), final.asset_id] == [1, 2, 3, 4, 5]
    credit_lock.lock_credits(project, "harbor", by="yamada-hanako")
    project.close()
    return Recorded(folder, foreign.fresh_identity(folder / "partner-keys", "Partner Studio"))


@dataclass
class Studio:
    """One case's copy of the recorded project, and what the case arranged around the command."""

    folder: Path
    partner: SigningIdentity
    monkeypatch: pytest.MonkeyPatch
    # Held while the command runs (a lock another process holds), released before the after-state is taken.
    around: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext
    env: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.folder / "studio"

    @property
    def database(self) -> Path:
        return self.root / ".provenance" / "provenance.db"

    def asset(self, asset_id: int) -> Path:
        with contextlib.closing(sqlite3.connect(self.database)) as connection:
            (path,) = connection.execute("SELECT path FROM asset WHERE id = ?", (asset_id,)).fetchone()
        return self.root / path

    def write(self, name: str, data: bytes) -> str:
        (self.folder / name).write_bytes(data)
        return str(self.folder / name)

    def sql(self, *statements: str) -> None:
        with contextlib.closing(sqlite3.connect(self.database)) as connection:
            for statement in statements:
                connection.execute(statement)
            connection.commit()

    def under_a_file(self, name: str = "out.png") -> str:
        """A path whose parent folder is a regular file: unwritable whoever runs the test, root included."""
        (self.folder / "a-file").write_text("not a folder")
        return str(self.folder / "a-file" / name)

    def model_copy(self, name: str = "house") -> Path:
        """A copy of the tiny model registered as ``name``, for cases that damage a model after registering it."""
        folder = self.folder / name
        shutil.copytree(tiny_model_folder(), folder)
        project = Project.open(self.root)
        add_model(project, name, folder)
        project.close()
        return folder


@pytest.fixture
def studio(recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Studio:
    folder = tmp_path / "case"
    shutil.copytree(recorded.folder, folder, ignore=shutil.ignore_patterns("partner-keys"))
    monkeypatch.chdir(folder)
    return Studio(folder, recorded.partner, monkeypatch)


def state(studio: Studio) -> dict[str, Any]:
    """Every file and folder under the case's folder, by content, and the database's rows when it opens."""
    files: dict[str, str] = {}
    folders: list[str] = []
    for path in sorted(studio.folder.rglob("*")):
        relative = path.relative_to(studio.folder).as_posix()
        if path.is_symlink():
            files[relative] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            folders.append(relative)
        elif path.is_file() and not path.name.endswith(("-journal", "-wal", "-shm")):  # SQLite's own, transient
            files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    rows = None  # when the case damaged the database itself: its bytes are compared above
    with contextlib.suppress(ProvenanceError, SQLAlchemyError):
        project = Project.open(studio.root)
        try:
            rows = snapshot(project)["rows"]
        finally:
            project.close()
    return {"files": files, "folders": folders, "rows": rows}


# --- pictures -----------------------------------------------------------------------------------------


def png(size: tuple[int, int] = (64, 36), text: dict[str, str] | None = None) -> bytes:
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def header_only_png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height``: a decompression bomb, refused before decoding."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def with_text_bomb(picture: bytes) -> bytes:
    """A PNG with a zTXt chunk that inflates past Pillow's text limit (1 MB) from a few kB."""
    bomb = _chunk(b"zTXt", b"parameters\x00\x00" + zlib.compress(b"a" * 4_000_000, 9))
    return picture[:33] + bomb + picture[33:]  # right after the IHDR chunk


def noise_png(width: int, height: int) -> bytes:
    """Incompressible pixels: a PNG of several MB, larger than the database."""
    pixels = np.random.default_rng(7).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def deeply_nested_json(depth: int = 100_000) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def truncated(data: bytes, keep: int) -> bytes:
    return data[:keep]


def partner_sketch(s: Studio) -> bytes:
    """A human sketch signed under the partner studio's CA (untrusted here), for the broken variants."""
    return foreign.human_sketch(s.partner)


def layout(s: Studio) -> bytes:
    """The layout drawing, an unsigned PNG of a few kB."""
    return (s.folder / "layout.png").read_bytes()


# --- what the cases do --------------------------------------------------------------------------------

Args = list[str]


def sketch_of(name: str) -> Callable[[Studio], Args]:
    return lambda s: ["sketch", "harbor/C013", name, "--artist", "tanaka-aiko"]


def sketch_file(data: Callable[[Studio], bytes], name: str = "input.png") -> Callable[[Studio], Args]:
    return lambda s: ["sketch", "harbor/C013", s.write(name, data(s)), "--artist", "tanaka-aiko"]


def revise_with(data: Callable[[Studio], bytes], name: str = "input.png") -> Callable[[Studio], Args]:
    return lambda s: ["revise", "5", s.write(name, data(s)), "--artist", "suzuki-ren"]


def audit_file_of(data: Callable[[Studio], bytes], name: str = "input.png") -> Callable[[Studio], Args]:
    return lambda s: ["audit", s.write(name, data(s))]


def generate(*options: str, asset: str = "1") -> Callable[[Studio], Args]:
    return lambda s: [
        "generate",
        asset,
        "--prompt",
        "harbor",
        "--operator",
        "sato-ken",
        "--steps",
        str(STEPS),
        *options,
    ]


def sketch_to(output: Callable[[Studio], str]) -> Callable[[Studio], Args]:
    return lambda s: ["sketch", "harbor/C013", "layout.png", "--artist", "tanaka-aiko", "-o", output(s)]


def audit_final(*options: str | Callable[[Studio], str]) -> Callable[[Studio], Args]:
    def args(s: Studio) -> Args:
        return ["audit", str(s.asset(5)), *(option(s) if callable(option) else option for option in options)]

    return args


def then(first: Callable[[Studio], object], args: Callable[[Studio], Args]) -> Callable[[Studio], Args]:
    """Do ``first`` (the damage), then build the command line."""

    def both(s: Studio) -> Args:
        first(s)
        return args(s)

    return both


def with_env(variables: Callable[[Studio], dict[str, str]], args: Callable[[Studio], Args]) -> Callable[[Studio], Args]:
    def both(s: Studio) -> Args:
        s.env.update(variables(s))
        return args(s)

    return both


def folder_in_place_of(asset_id: int) -> Callable[[Studio], None]:
    def damage(s: Studio) -> None:
        path = s.asset(asset_id)
        path.unlink()
        path.mkdir()

    return damage


def flip_a_byte_of(asset_id: int) -> Callable[[Studio], None]:
    def damage(s: Studio) -> None:
        path = s.asset(asset_id)
        data = bytearray(path.read_bytes())
        data[-20] ^= 0x01
        path.write_bytes(bytes(data))

    return damage


def model_folder(index: bytes) -> Callable[[Studio], None]:
    """A folder ``m`` whose model_index.json holds ``index`` and nothing else."""

    def make(s: Studio) -> None:
        (s.folder / "m").mkdir()
        s.write("m/model_index.json", index)

    return make


def garbage_anchor(s: Studio) -> None:
    trust = s.root / ".provenance" / "trust"
    trust.mkdir(exist_ok=True)
    (trust / "kumo.pem").write_bytes(bytes(range(64)))


def immediate_lock(s: Studio) -> None:
    """Another process is writing: it holds SQLite's write lock for the whole command."""

    @contextlib.contextmanager
    def held() -> Iterator[None]:
        with contextlib.closing(sqlite3.connect(s.database)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            yield
            connection.rollback()

    s.around = held


def read_only_url(s: Studio) -> Args:
    return ["--db", f"sqlite:///file:{s.database}?mode=ro&uri=true"]


def locked_url(s: Studio) -> Args:
    # Each attempt waits BUSY_TIMEOUT_S for the lock unless the URL sets its own timeout: this keeps the case quick.
    return ["--db", f"sqlite:///file:{s.database}?mode=rw&uri=true&timeout=0.2"]


def interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def interrupt_signing_the_second_candidate(s: Studio) -> None:
    signed = []
    sign = writing.sign_png

    def sign_then_interrupt(*args: Any, **kwargs: Any) -> bytes:
        signed.append(1)
        if len(signed) == 2:
            raise KeyboardInterrupt
        return sign(*args, **kwargs)

    s.monkeypatch.setattr(writing, "sign_png", sign_then_interrupt)


def interrupt_after_publishing(s: Studio) -> None:
    publish = PendingFiles.publish

    def publish_then_interrupt(self: PendingFiles) -> None:
        publish(self)
        raise KeyboardInterrupt

    s.monkeypatch.setattr(PendingFiles, "publish", publish_then_interrupt)


def garbage_tiny_model(s: Studio) -> None:
    """The cache's built-in model with a damaged weight file; the case's own cache, so others keep theirs."""
    cache = s.folder.parent / "cache"  # outside the case's folder: the run may record weight digests in it
    shutil.copytree(Path(os.environ["PROVENANCE_CACHE"]) / "models", cache / "models")
    next((cache / "models").rglob("text_encoder/*.safetensors")).write_bytes(b"garbage")  # shorter than its own header
    s.env["PROVENANCE_CACHE"] = str(cache)


@dataclass(frozen=True)
class Case:
    id: str
    args: Callable[[Studio], Args]
    code: int
    says: str


CASES = [
    # files given as input: missing, empty, truncated, huge, not an image, the wrong kind of thing
    Case("files/missing", sketch_of("nowhere.png"), 1, "nowhere.png does not exist"),
    Case("files/empty", audit_file_of(lambda s: b""), 1, "is not an image file"),
    Case("files/text-named-png", revise_with(lambda s: b"hello\n"), 1, "is not an image file"),
    Case("files/truncated-png", audit_file_of(lambda s: truncated(layout(s), 2000)), 1,
         "is damaged and cannot be decoded"),
    Case("files/truncated-jpeg", audit_file_of(lambda s: truncated(jpeg(), 300), "in.jpg"), 1, "is damaged"),
    Case("files/truncated-png-sketch", sketch_file(lambda s: truncated(layout(s), 2000)), 1, "is damaged"),
    Case("files/gif", sketch_file(lambda s: gif()), 1, "is a GIF image; export it as one of PNG"),
    Case("files/bomb-100000x100000", sketch_file(lambda s: header_only_png(100_000, 100_000)), 1, "pixel bound"),
    Case("files/bomb-2**31-wide", audit_file_of(lambda s: header_only_png(2**31 - 1, 1)), 1, "pixel bound"),
    Case("files/zero-by-zero-png", audit_file_of(lambda s: header_only_png(0, 0)), 1, "is not an image file"),
    Case("files/text-chunk-bomb", audit_file_of(lambda s: with_text_bomb(png())), 1, "cannot be decoded"),
    # `audit` takes folders (the bulk audit, issue #10); a command that takes one file still refuses one.
    Case("files/folder", sketch_of("."), 1, "is not a file"),
    Case("files/folder-without-images", then(lambda s: (s.folder / "empty").mkdir(), lambda s: ["audit", "empty"]),
         1, "no image files to audit in empty"),
    Case("files/dev-null", lambda s: ["audit", "/dev/null"], 1, "/dev/null is not a file"),
    Case("files/link-to-a-folder", then(lambda s: (s.folder / "ln.png").symlink_to(s.folder), sketch_of("ln.png")),
         1, "ln.png is not a file"),
    Case("files/dangling-link", then(lambda s: (s.folder / "ln.png").symlink_to("gone.png"), sketch_of("ln.png")),
         1, "ln.png does not exist"),
    Case("files/comfyui-deeply-nested", sketch_file(lambda s: png(text={"prompt": deeply_nested_json()})),
         1, "carries ComfyUI generation parameters"),
    Case("files/comfyui-malformed", sketch_file(lambda s: png(text={"prompt": "{not json", "workflow": "["})),
         1, "carries ComfyUI generation parameters"),
    Case("files/invokeai-deeply-nested", revise_with(lambda s: png(text={"invokeai_metadata": deeply_nested_json()})),
         1, "carries InvokeAI generation parameters"),
    Case("files/pem-is-a-folder", lambda s: ["trust", "add", str(s.folder)], 2, "is a directory"),
    # files asked for as output: unwritable places, names the file system or Pillow refuses
    Case("outputs/sketch-under-a-file", sketch_to(lambda s: s.under_a_file()), 1, "is outside the project folder"),
    Case("outputs/sketch-name-too-long", sketch_to(lambda s: str(s.root / ("x" * 300 + ".png"))), 1,
         "(File name too long)"),
    Case("outputs/sketch-over-a-recorded-asset", sketch_to(lambda s: str(s.asset(1))), 1, "already exists"),
    Case("outputs/sketch-to-a-folder", sketch_to(lambda s: str(s.root / "assets")), 2, "is a directory"),
    Case("outputs/sketch-not-png", sketch_to(lambda s: str(s.root / "out.jpg")), 1, "must end in .png"),
    Case("outputs/credits-under-a-file", lambda s: ["credits", "harbor", "-o", s.under_a_file("c.txt")], 1,
         "cannot write"),
    Case("outputs/trust-export-under-a-file", lambda s: ["trust", "export", "-o", s.under_a_file("ca.pem")], 1,
         "cannot write"),
    Case("outputs/audit-sheet-under-a-file", audit_final("--sheet", lambda s: s.under_a_file()), 1, "cannot write"),
    Case("outputs/audit-heatmap-psd", audit_final("--heatmap", "who.psd"), 1, "as PSD (Pillow has no writer for it)"),
    Case("outputs/audit-sheet-h5", audit_final("--sheet", "sheet.h5"), 1, "as HDF5"),
    Case("outputs/audit-sheet-png-heatmap-xbm", audit_final("--sheet", "sheet.png", "--heatmap", "who.xbm"), 1,
         "as XBM"),
    # names and references that name nothing, or nothing valid
    Case("names/unknown-artist", lambda s: ["sketch", "harbor/C013", "layout.png", "--artist", "nobody"], 1,
         "unknown person 'nobody'"),
    Case("names/unknown-background", lambda s: ["sketch", "harbor/C999", "layout.png", "--artist", "tanaka-aiko"],
         1, "unknown background 'harbor/C999'"),
    Case("names/background-without-slash", lambda s: ["credits", "harbor", "--background", "C012"], 1,
         "should be written PRODUCTION/CUT"),
    Case("names/unknown-production", lambda s: ["background", "add", "nosuch", "C001"], 1, "unknown production"),
    Case("names/handle-with-a-space", lambda s: ["person", "add", "Kimura Yu", "--handle", "Kimura Yu"], 1,
         "is not valid"),
    Case("names/punctuation-only", lambda s: ["production", "add", "!!!"], 1, "cannot derive a handle"),
    Case("names/kana-that-romanizes-to-nothing", lambda s: ["person", "add", "--kana", "ー", "--handle", "x"], 1,
         "romanizes to nothing"),
    Case("names/cut-climbing-out", lambda s: ["background", "add", "harbor", "../C001"], 1, "is not valid"),
    Case("names/studio-too-long-for-a-certificate",
         lambda s: ["--project", str(s.folder / "new" / "project"), "init", "--studio", TOO_LONG_STUDIO], 1,
         "longer than the 42 its certificates can hold"),
    Case("names/unknown-anchor", lambda s: ["trust", "remove", "nosuch"], 1, "no trust anchor named 'nosuch'"),
    Case("names/unknown-command", lambda s: ["frobnicate"], 2, "No such command 'frobnicate'"),
    Case("names/asset-0", lambda s: ["lineage", "0"], 1, "there is no asset #0"),
    Case("names/asset-2**64", lambda s: ["select", str(2**64), "--by", "sato-ken"], 1,
         "no asset '18446744073709551616'"),
    Case("names/asset-superscript-two", lambda s: ["select", "²", "--by", "sato-ken"], 1, "no asset '²'"),
    Case("names/asset-fullwidth-one", lambda s: ["replay", "１"], 1, "no asset '１'"),
    Case("names/asset-negative", lambda s: ["lineage", "-1"], 2, "No such option '-1'"),
    Case("names/unrecorded-file", lambda s: ["lineage", s.write("other.png", png())], 1, "matches no recorded asset"),
    # options out of range
    Case("options/seed-2**64", generate("--seed", str(2**64)), 1, "seed 18446744073709551616 is out of range"),
    Case("options/seed-negative", generate("--seed", "-1"), 1, "seed -1 is out of range"),
    Case("options/seed-max-with-2-candidates", generate("--seed", str(2**63 - 1), "--candidates", "2"), 1,
         "is out of range"),
    Case("options/seed-not-a-number", generate("--seed", "lots"), 2, "'lots' is not a valid integer"),
    Case("options/guidance-nan", generate("--guidance", "nan"), 1, "guidance nan is not a finite number"),
    Case("options/guidance-inf", generate("--guidance", "inf"), 1, "guidance inf is not a finite number"),
    Case("options/strength-nan", generate("--strength", "nan"), 1, "strength nan is out of range"),
    Case("options/strength-0", generate("--strength", "0"), 2, "'--strength'"),
    Case("options/strength-1e-300", generate("--strength", "1e-300"), 1, "runs no denoising step"),
    Case("options/steps-0", generate("--steps", "0"), 2, "'--steps'"),
    Case("options/candidates-65", generate("--candidates", "65"), 2, "'--candidates'"),
    Case("options/lora-weight-inf", generate("--lora", "ink.safetensors:inf"), 1, "LoRA weight 'inf' is not a number"),
    Case("options/lora-missing", generate("--lora", "nowhere.safetensors"), 1, "not found"),
    Case("options/lora-not-safetensors", then(lambda s: s.write("ink.safetensors", b"text"),
                                              generate("--lora", "ink.safetensors")), 1, "is not a safetensors file"),
    Case("options/model-missing", generate("--model", "/no/such/model"), 1, "not found"),
    Case("options/model-index-a-list", then(model_folder(b"[]"), generate("--model", "m")), 1,
         "is not a JSON object naming a pipeline"),
    Case("options/model-index-a-folder",
         then(lambda s: (s.folder / "m" / "model_index.json").mkdir(parents=True), generate("--model", "m")),
         1, "cannot be read (Is a directory)"),
    Case("options/model-without-weights",
         then(model_folder(b'{"_class_name": "StableDiffusionPipeline"}'), lambda s: ["model", "add", "house", "m"]),
         1, "holds no weight files"),
    Case("options/config-for-the-tiny-model", generate("--config", "sd15"), 1, "--config is for single-file"),
    Case("options/demo-steps-1", lambda s: ["demo", str(s.folder / "demo"), "--steps", "1"], 2, "'--steps'"),
    Case("options/role-unknown", lambda s: ["select", "2", "--by", "sato-ken", "--role", "CHEF"], 2, "'--role'"),
    Case("options/max-pixels-not-a-number",
         with_env(lambda s: {"PROVENANCE_MAX_PIXELS": "lots"}, sketch_of("layout.png")),
         1, "PROVENANCE_MAX_PIXELS='lots' is not a whole number"),
    # actions repeated, or aimed at the wrong kind of asset
    Case("repeat/select-twice", lambda s: ["select", "3", "--by", "sato-ken"], 1, "has already been selected"),
    Case("repeat/init-twice", lambda s: ["init"], 1, "already holds a provenance project"),
    Case("repeat/select-a-sketch", lambda s: ["select", "1", "--by", "sato-ken"], 1, "not an AI candidate"),
    Case("repeat/replay-a-paint-over", lambda s: ["replay", "5"], 1, "not an AI candidate"),
    Case("repeat/duplicate-handle", lambda s: ["person", "add", "Tanaka Aiko"], 1, "already a person with handle"),
    # damage to the project's state: database, settings, keys, recorded files, models, caches, fonts
    Case("state/db-deleted", then(lambda s: s.database.unlink(), lambda s: ["person", "list"]), 1,
         "provenance.db is missing; restore it from backup"),
    Case("state/db-garbage", then(lambda s: s.database.write_bytes(b"garbage" * 1000), lambda s: ["person", "list"]),
         1, "cannot be read as a provenance database (file is not a database)"),
    Case("state/db-truncated",
         then(lambda s: s.database.write_bytes(s.database.read_bytes()[:8192]), lambda s: ["lineage", "5"]),
         1, "restore it from backup"),
    Case("state/db-table-dropped",
         then(lambda s: s.sql("PRAGMA foreign_keys=OFF", "DROP TABLE contribution"), lambda s: ["credits", "harbor"]),
         1, "failed (no such table: contribution)"),
    Case("state/db-table-dropped-check",
         then(lambda s: s.sql("PRAGMA foreign_keys=OFF", "DROP TABLE asset"), lambda s: ["check", "--fix"]),
         1, "failed (no such table: asset)"),
    Case("state/db-json-damaged",
         then(lambda s: s.sql("UPDATE stage SET parameters = '{bad'"), lambda s: ["lineage", "5"]),
         1, "holds damaged JSON"),
    Case("state/db-json-a-list",
         then(lambda s: s.sql("UPDATE stage SET parameters = '[1]'"), lambda s: ["replay", "3"]),
         1, "holds JSON list where an object belongs"),
    Case("state/db-read-only", lambda s: [*read_only_url(s), "person", "add", "Kimura Yu"], 1,
         "(attempt to write a readonly database)"),
    Case("state/db-read-only-sketch", lambda s: [*read_only_url(s), "sketch", "harbor/C013", "layout.png",
                                                  "--artist", "tanaka-aiko"], 1, "attempt to write a readonly"),
    Case("state/db-url-timeout-not-seconds",
         lambda s: ["--db", f"sqlite:///{s.database}?timeout=soon", "person", "add", "Kimura Yu"], 1,
         "its timeout must be seconds"),
    Case("state/db-url-timeout-twice",  # the file: form reaches the driver as written, which took a pair for a number
         lambda s: ["--db", f"sqlite:///file:{s.database}?uri=true&timeout=1&timeout=2", "person", "add", "Kimura Yu"],
         1, "its timeout must be seconds, given once"),
    Case("state/db-url-timeout-a-year",
         lambda s: ["--db", f"sqlite:///{s.database}?timeout=3e7", "person", "add", "Kimura Yu"], 1, "below a day"),
    Case("state/db-locked-by-another-writer",
         then(immediate_lock, lambda s: [*locked_url(s), "select", "2", "--by", "sato-ken"]),
         1, "is busy (database is locked): another provenance command is writing to it and held it over 1 s"),
    Case("state/settings-not-an-object",
         then(lambda s: (s.root / ".provenance" / "project.json").write_text("[]"), lambda s: ["person", "list"]),
         1, "is not a JSON object"),
    Case("state/keys-folder-deleted",
         then(lambda s: shutil.rmtree(s.root / ".provenance" / "keys"), sketch_of("layout.png")),
         1, "cannot be read (No such file or directory)"),
    Case("state/ca-certificate-garbage",
         then(lambda s: (s.root / ".provenance" / "keys" / "studio-ca.pem").write_text("garbage"),
              lambda s: ["audit", str(s.asset(5))]), 1, "is damaged; restore it from backup"),
    Case("state/ca-certificate-garbage-check",
         then(lambda s: (s.root / ".provenance" / "keys" / "studio-ca.pem").write_text("garbage"),
              lambda s: ["check", "--fix"]), 1, "is damaged; restore it from backup"),
    Case("state/trust-anchor-garbage", then(garbage_anchor, lambda s: ["audit", str(s.asset(5))]), 1,
         "holds no PEM certificate"),
    Case("state/asset-file-deleted", then(lambda s: s.asset(1).unlink(), generate()), 1, "is missing; restore it"),
    Case("state/asset-file-changed", then(flip_a_byte_of(1), generate()), 1, "changed since it was recorded"),
    Case("state/asset-file-now-a-folder", then(folder_in_place_of(1), generate()), 1,
         "cannot be read (Is a directory)"),
    Case("state/parent-file-now-a-folder", then(folder_in_place_of(1), lambda s: ["replay", "3"]), 1,
         "cannot be read (Is a directory)"),
    Case("state/model-folder-deleted", then(lambda s: shutil.rmtree(s.model_copy()), generate("--model", "house")),
         1, "not found"),
    Case("state/model-index-damaged-after-use",
         then(lambda s: (s.model_copy() / "model_index.json").write_text('["StableDiffusionPipeline"]'),
              generate("--model", "house")), 1, "is not a JSON object naming a pipeline"),
    Case("state/built-in-model-damaged", then(garbage_tiny_model, generate()), 1, "and it is built again"),
    Case("state/cache-under-a-file", with_env(lambda s: {"PROVENANCE_CACHE": s.under_a_file("cache")}, generate()),
         1, "set PROVENANCE_CACHE to a writable folder"),
    Case("state/font-not-a-font",
         with_env(lambda s: {"PROVENANCE_CJK_FONT": s.write("font.ttf", b"garbage")},
                  lambda s: ["credits", "harbor", "--format", "pdf", "-o", "credits.pdf"]),
         1, "is not a TrueType font"),
    Case("state/lock-signature-not-base64",
         then(lambda s: s.sql("UPDATE credit_lock SET signature = 'abcde'"), lambda s: ["credits", "harbor"]), 4,
         "fail their signature check"),
    # faults while a command runs: Ctrl-C at each point of recording
    Case("faults/interrupt-during-generation",
         then(lambda s: s.monkeypatch.setattr(engine, "generate", interrupt), generate()), 130, "interrupted"),
    Case("faults/interrupt-signing-the-second-candidate",
         then(interrupt_signing_the_second_candidate, generate("--candidates", "2")), 130, "interrupted"),
    Case("faults/interrupt-signing-a-sketch", then(lambda s: s.monkeypatch.setattr(writing, "sign_png", interrupt),
                                                    sketch_of("layout.png")), 130, "interrupted"),
    Case("faults/interrupt-after-publishing", then(interrupt_after_publishing, sketch_of("layout.png")), 130,
         "interrupted"),
    # other studios' and tools' manifests, broken the ways tests/foreign_manifests.py breaks them
    Case("foreign/changed-pixel", sketch_file(lambda s: foreign.changed_pixel(partner_sketch(s))), 1,
         "fails validation (assertion.dataHash.mismatch"),
    Case("foreign/changed-signature", revise_with(lambda s: foreign.changed_signature(partner_sketch(s))),
         1, "claimSignature.mismatch"),
    Case("foreign/changed-assertion", sketch_file(lambda s: foreign.changed_assertion(partner_sketch(s))),
         1, "assertion.hashedURI.mismatch"),
    Case("foreign/prerelease-claim", sketch_file(lambda s: foreign.prerelease_claim(partner_sketch(s))),
         1, "fails validation"),
    Case("foreign/unknown-algorithm", revise_with(lambda s: foreign.unknown_claim_algorithm(partner_sketch(s))),
         1, "fails validation"),
    Case("foreign/remote-manifest", sketch_file(lambda s: foreign.remote_manifest(s.partner)[0]), 1,
         "manifest.inaccessible"),
    Case("foreign/composite-ai-edit", sketch_file(lambda s: foreign.composite_ai_edit(s.partner, partner_sketch(s))),
         1, "declares compositeWithTrainedAlgorithmicMedia"),
    Case("foreign/own-file-truncated",
         lambda s: ["lineage", s.write("cut.png", truncated(s.asset(5).read_bytes(), 4000))],
         1, "is damaged and cannot be decoded"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_bad_input_is_one_line_and_changes_nothing(studio: Studio, case: Case) -> None:
    args = case.args(studio)
    before = state(studio)
    with studio.around():
        result = CliRunner().invoke(main, ["--project", str(studio.root), *args], env=studio.env)
    assert result.exit_code == case.code, f"{result.stderr}{result.exception!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and "unexpected" not in lines[0] and "Traceback" not in result.stderr
    assert case.says in lines[0]
    assert state(studio) == before


# --- successes that must stay quiet ------------------------------------------------------------------


def jpeg_with_corrupt_exif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(buffer, "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff")
    return buffer.getvalue()


def test_corrupt_exif_is_no_reason_for_noise_on_stderr(studio: Studio) -> None:
    """Pillow warns about EXIF it skips; the pixels decode all the same, and stderr stays for errors."""
    picture = studio.write("scan.jpg", jpeg_with_corrupt_exif())
    audit = CliRunner().invoke(main, ["--project", str(studio.root), "audit", picture])
    assert (audit.exit_code, audit.stderr) == (5, "")  # unknown: no manifest, no match, no metadata
    sketch = CliRunner().invoke(main, ["--project", str(studio.root), "sketch", "harbor/C013", picture, "--artist",
                                       "tanaka-aiko"])  # fmt: skip
    assert (sketch.exit_code, sketch.stderr) == (0, "")


def test_a_tiny_paint_over_is_recorded_not_a_crash(studio: Studio) -> None:
    """A picture under 7 px a side cannot be confirmed as a copy of anything (SSIM needs 7x7): no match, no crash."""
    picture = studio.write("dot.png", png((1, 1)))
    result = CliRunner().invoke(main, ["--project", str(studio.root), "revise", "3", picture, "--artist", "suzuki-ren"])
    assert result.exit_code == 0 and result.stderr == "", result.output


def test_a_damaged_mask_leaves_the_stage_unmeasured(studio: Studio) -> None:
    """A mask file replaced by a decompression bomb reads as no mask at all: the audit still answers."""
    with contextlib.closing(sqlite3.connect(studio.database)) as connection:
        (mask,) = connection.execute("SELECT mask_path FROM stage WHERE kind = 'revise'").fetchone()
    (studio.root / mask).write_bytes(header_only_png(100_000, 100_000))
    result = CliRunner().invoke(main, ["--project", str(studio.root), "audit", str(studio.asset(5)), "--json"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    [revise] = [stage for stage in json.loads(result.stdout)["stages"] if stage["kind"] == "revise"]
    assert revise["share"] is None


# --- a full disk, in a real process -------------------------------------------------------------------

# RLIMIT_FSIZE makes every write past the limit fail with EFBIG, as a full disk fails with ENOSPC; SIGXFSZ
# is ignored so the write returns the error instead of killing the process.
FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    from provenance.cli import main
    main(sys.argv[2:], prog_name="provenance")
    """
)


@pytest.mark.parametrize(
    ("limit", "args", "says"),
    [
        # The signed PNG of a noisy 1600x900 picture is megabytes; the database stays far below the limit.
        (1_500_000, lambda s: ["sketch", "harbor/C013", s.write("noise.png", noise_png(1600, 900)),
                               "--artist", "tanaka-aiko"], "(File too large)"),
        # The database cannot grow by a page: SQLite reports a disk I/O error, and the stage is rolled back.
        (20_000, lambda s: ["select", "2", "--by", "sato-ken"], "failed (disk I/O error)"),
        (20_000, lambda s: ["sketch", "harbor/C013", "layout.png", "--artist", "tanaka-aiko"], "disk I/O error"),
        # init writes its settings and keys first: nothing of the new project may stay behind.
        (100, lambda s: ["--project", str(s.folder / "new"), "init"], "cannot write the project"),
    ],
    ids=["faults/full-disk-writing-the-picture", "faults/full-disk-writing-a-selection",
         "faults/full-disk-writing-a-sketch-row", "faults/full-disk-during-init"],
)  # fmt: skip
def test_a_full_disk_is_one_line_and_changes_nothing(
    studio: Studio, limit: int, args: Callable[[Studio], Args], says: str
) -> None:
    argv = args(studio)
    before = state(studio)
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(limit), "--project", str(studio.root), *argv],
        capture_output=True, text=True, cwd=studio.folder, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and says in line and "unexpected" not in line
    assert state(studio) == before
