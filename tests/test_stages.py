"""Recording stages through the library: what is written, and that failures write nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from provenance import engine, record
from provenance.errors import (
    AlreadyExistsError,
    GenerationCancelled,
    InputFileError,
    InvalidValueError,
    NotFoundError,
    SigningError,
)
from provenance.manifests import read_manifest_store
from provenance.project import Project
from provenance.record import writing
from provenance.store import AIModel, Asset, Contribution, Stage, StageInput

from .conftest import STEPS, Chain, engine_device, read_image, snapshot
from .fake_engine import fake_generate


def test_chain_records_every_stage_with_its_people(project: Project, chain: Chain) -> None:
    with project.store.session() as session:
        kinds = [stage.kind for stage in session.exec(select(Stage).order_by(Stage.id))]
        roles = {(c.role) for c in session.exec(select(Contribution))}
        assets = session.exec(select(Asset).order_by(Asset.id)).all()
    assert kinds == ["sketch", "ai_generate", "ai_generate", "ai_generate", "select", "revise"]
    assert roles == {"BG_LAYOUT", "AI_OPERATOR", "BG_AD", "BG_RETOUCH"}
    assert len(assets) == 5  # the selection writes no file
    for asset in assets:
        data = project.absolute(asset.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == asset.sha256
        assert asset.manifest_label and asset.manifest_label.startswith("urn:c2pa:")
        # The row's label is the one the file carries, and the file's manifest validates under the studio CA.
        store = read_manifest_store(data, project.trust_anchors, "image/png")
        assert store is not None and store.trusted and store.active_label == asset.manifest_label
    assert len({asset.manifest_label for asset in assets}) == len(assets)


def test_candidates_have_their_own_seeds_and_full_settings(project: Project, chain: Chain) -> None:
    with project.store.session() as session:
        generated = session.exec(select(Stage).where(Stage.kind == "ai_generate").order_by(Stage.id)).all()
        model = session.exec(select(AIModel)).one()
    assert [stage.parameters["seed"] for stage in generated] == [5, 6, 7]
    assert len({stage.batch for stage in generated}) == 1
    settings = generated[0].parameters
    assert settings["steps"] == STEPS and settings["steps_run"] == int(STEPS * 0.6)
    assert settings["prompt"] == "harbor" and settings["strength"] == 0.6 and settings["guidance"] == 7.0
    assert settings["scheduler"] == "DDIMScheduler" and settings["device"] == engine_device()
    assert settings["scheduler_config"]["beta_schedule"] == "scaled_linear"
    assert (settings["vae_tiling"], settings["attention_slicing"], settings["cpu_offload"]) == (False, False, False)
    assert set(settings["versions"]) == {"diffusers", "torch"}
    assert model.is_test_model and model.name == "tiny" and model.version == "v1"
    assert len(model.weight_sha256) == 3 and all(len(sha) == 64 for sha in model.weight_sha256.values())


def test_selection_knows_the_alternatives(project: Project, chain: Chain) -> None:
    alternatives = [chain.candidates[0].asset_id, chain.candidates[2].asset_id]
    assert chain.selection.alternatives == alternatives
    with project.store.session() as session:
        revise = session.exec(select(Stage).where(Stage.kind == "revise")).one()
        selection = session.exec(select(Stage).where(Stage.kind == "select")).one()
    assert revise.selection_id == selection.id


def test_same_seed_gives_identical_candidates(project: Project, chain: Chain) -> None:
    again = record.record_generation(
        project, str(chain.sketch.asset_id), operator="sato-ken", prompt="harbor", seed=6, steps=STEPS
    )
    first = read_image(project.absolute(chain.candidates[1].path))
    second = read_image(project.absolute(again[0].path))
    assert first.tobytes() == second.tobytes()
    assert first.tobytes() != read_image(project.absolute(chain.candidates[0].path)).tobytes()


def test_assets_can_be_named_by_file(project: Project, chain: Chain) -> None:
    selection = record.record_selection(project, str(project.absolute(chain.candidates[0].path)), by="sato-ken")
    assert selection.asset_id == chain.candidates[0].asset_id


def test_output_path_is_honoured_and_must_be_png(project: Project, layout_file: Path) -> None:
    out = project.root / "custom" / "layout.png"
    recorded = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko", output=out)
    assert recorded.path == "custom/layout.png" and out.is_file()
    with pytest.raises(InvalidValueError, match="must end in .png"):
        record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko", output=project.root / "x.jpg")
    with pytest.raises(AlreadyExistsError):
        record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko", output=out)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda p, f: record.record_sketch(p, "harbor/C012", f, artist="nobody"), NotFoundError),
        (lambda p, f: record.record_sketch(p, "harbor/C999", f, artist="tanaka-aiko"), NotFoundError),
        (lambda p, f: record.record_sketch(p, "harbor", f, artist="tanaka-aiko"), InvalidValueError),
        (
            lambda p, f: record.record_sketch(p, "harbor/C012", f.with_name("gone.png"), artist="tanaka-aiko"),
            InputFileError,
        ),
        (
            lambda p, f: record.record_sketch(p, "harbor/C012", f, artist="tanaka-aiko", role="CHEF"),
            InvalidValueError,
        ),
        (lambda p, f: record.record_generation(p, "99", operator="sato-ken", prompt="x"), NotFoundError),
        (
            lambda p, f: record.record_generation(p, "1", operator="sato-ken", prompt="x", strength=0),
            InvalidValueError,
        ),
    ],
)
def test_bad_input_writes_nothing(project: Project, layout_file: Path, call, error) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(project)
    with pytest.raises(error):
        call(project, layout_file)
    assert snapshot(project) == before


def test_a_failure_while_signing_the_third_candidate_writes_nothing(
    project: Project, layout_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    before = snapshot(project)
    real_sign = writing.sign_png
    calls = []

    def failing_sign(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise SigningError("the manifest could not be signed: simulated")
        return real_sign(*args, **kwargs)

    monkeypatch.setattr(writing, "sign_png", failing_sign)
    with pytest.raises(SigningError):
        record.record_generation(
            project, str(sketch.asset_id), operator="sato-ken", prompt="x", candidates=3, steps=STEPS,
            generator=fake_generate,
        )  # fmt: skip
    assert snapshot(project) == before
    assert not list(project.root.rglob("*.part"))


def test_interrupting_a_generation_records_nothing(
    project: Project, layout_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    before = snapshot(project)

    def interrupt(candidate: int, step: int, total: int) -> None:
        if candidate == 1:
            raise KeyboardInterrupt

    with pytest.raises(GenerationCancelled):
        record.record_generation(
            project,
            str(sketch.asset_id),
            operator="sato-ken",
            prompt="x",
            candidates=3,
            steps=STEPS,
            on_step=interrupt,
            generator=fake_generate,
        )
    assert snapshot(project) == before


def test_a_failed_commit_removes_the_published_files(
    project: Project, layout_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)
    from sqlmodel import Session

    def failing_commit(self: Session) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    monkeypatch.undo()
    assert snapshot(project) == before


def test_a_changed_parent_file_is_refused(project: Project, chain: Chain) -> None:
    path = project.absolute(chain.sketch.path)
    read_image(path).convert("RGB").save(path)  # a re-save: same picture, manifest gone
    with pytest.raises(InputFileError, match="changed since it was recorded"):
        record.record_generation(project, str(chain.sketch.asset_id), operator="sato-ken", prompt="x")


def test_only_ai_candidates_can_be_selected_and_only_once(project: Project, chain: Chain) -> None:
    with pytest.raises(InvalidValueError, match="not an AI candidate"):
        record.record_selection(project, str(chain.sketch.asset_id), by="yamada-hanako")
    with pytest.raises(AlreadyExistsError):
        record.record_selection(project, str(chain.chosen.asset_id), by="yamada-hanako")


def test_stage_inputs_form_the_lineage(project: Project, chain: Chain) -> None:
    with project.store.session() as session:
        revise = session.exec(select(Stage).where(Stage.kind == "revise")).one()
        used = session.exec(select(StageInput).where(StageInput.stage_id == revise.id)).all()
    assert [link.asset_id for link in used] == [chain.chosen.asset_id]


def test_an_input_that_is_not_a_multiple_of_eight_is_trimmed(project: Project, tmp_path: Path) -> None:
    odd = tmp_path / "odd.png"
    Image.new("RGB", (101, 67), "white").save(odd)
    sketch = record.record_sketch(project, "harbor/C012", odd, artist="tanaka-aiko")
    [candidate] = record.record_generation(project, str(sketch.asset_id), operator="sato-ken", prompt="x", steps=2)
    assert read_image(project.absolute(candidate.path)).size == (96, 64)


def test_generation_settings_reach_the_engine(project: Project, chain: Chain, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[engine.GenerationSettings] = []
    real = engine.generate

    def spy(source, image, settings, on_step=None, options=None, loras=()):  # type: ignore[no-untyped-def]
        seen.append(settings)
        return real(source, image, settings, on_step, options, loras)

    monkeypatch.setattr(engine, "generate", spy)
    record.record_generation(
        project,
        str(chain.sketch.asset_id),
        operator="sato-ken",
        prompt="p",
        negative_prompt="n",
        seed=11,
        strength=0.5,
        steps=4,
        guidance=3.0,
        candidates=2,
    )
    assert seen == [
        engine.GenerationSettings(prompt="p", negative_prompt="n", seeds=[11, 12], strength=0.5, steps=4, guidance=3.0)
    ]


def test_candidates_carry_a1111_parameters_too(project: Project, chain: Chain) -> None:
    from PIL import Image as PILImage

    from provenance.a1111 import parse_a1111

    with PILImage.open(project.absolute(chain.candidates[1].path)) as candidate:
        fields = parse_a1111(candidate.text["parameters"])
    with project.store.session() as session:
        model = session.exec(select(AIModel)).one()
    assert fields["prompt"] == "harbor" and fields["seed"] == "6" and fields["steps"] == str(STEPS)
    assert fields["sampler"] == "DDIM" and fields["denoising_strength"] == "0.6" and fields["size"] == "128x72"
    assert fields["model"] == "tiny" and fields["model_hash"] == model.short_hash


def test_memory_options_are_recorded_with_the_stage(project: Project, chain: Chain) -> None:
    [candidate] = record.record_generation(
        project, str(chain.sketch.asset_id), operator="sato-ken", prompt="x", steps=2,
        options=engine.RuntimeOptions(vae_tiling=True, attention_slicing=True, cpu_offload=True),
    )  # fmt: skip
    with project.store.session() as session:
        asset = session.get(Asset, candidate.asset_id)
        assert asset is not None
        settings = session.get(Stage, asset.stage_id).parameters  # type: ignore[union-attr]
    # On the CPU there is nothing to offload to; the flag is recorded as asked.
    assert (settings["vae_tiling"], settings["attention_slicing"], settings["cpu_offload"]) == (True, True, True)


def test_each_file_carries_our_512_px_jpeg_thumbnail(project: Project, tmp_path: Path) -> None:
    import io

    layout = tmp_path / "wide.png"
    Image.new("RGB", (1200, 600), "navy").save(layout)
    recorded = record.record_sketch(project, "harbor/C012", layout, artist="tanaka-aiko")
    data = project.absolute(recorded.path).read_bytes()
    store = read_manifest_store(data, project.trust_anchors, "image/png", thumbnails=True)
    assert store is not None
    with Image.open(io.BytesIO(store.thumbnails[store.active_label])) as thumbnail:
        # c2pa's own would be 1024 px wide; ours is small enough to make quickly, large enough for the sheet.
        assert thumbnail.format == "JPEG" and thumbnail.size == (512, 256)
