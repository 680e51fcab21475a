"""The engine: the tiny model is built deterministically, loads like a real one, and fails clearly."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from provenance import record
from provenance.engine import GenerationSettings, RuntimeOptions, fingerprint_weights, generate, resolve_model
from provenance.engine.tiny import tiny_model_folder
from provenance.errors import ModelError

pytestmark = pytest.mark.diffusion


def test_the_tiny_model_is_a_diffusers_folder_marked_as_a_test_model() -> None:
    source = resolve_model("tiny")
    assert source.is_test_model and source.architecture == "sd"
    index = json.loads((source.path / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionImg2ImgPipeline"
    assert (source.path / "PROVENANCE_TEST_MODEL.txt").is_file()


def test_the_tiny_model_builds_the_same_weights_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = fingerprint_weights(tiny_model_folder())
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "fresh-cache"))
    rebuilt = tiny_model_folder()
    assert rebuilt.is_relative_to(tmp_path)
    assert fingerprint_weights(rebuilt) == first


def test_a_model_folder_path_loads_through_the_same_path(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    shutil.copytree(tiny_model_folder(), folder)
    source = resolve_model(str(folder))
    assert source.name == "my-model" and not source.is_test_model
    run = generate(source, Image.new("RGB", (64, 64), "white"), GenerationSettings(prompt="x", seeds=[1], steps=2))
    assert run.candidates[0].image.size == (64, 64) and run.steps_run == 1


def test_step_observer_sees_every_step() -> None:
    seen: list[tuple[int, int, int]] = []
    generate(
        resolve_model("tiny"),
        Image.new("RGB", (32, 32)),
        GenerationSettings(prompt="x", seeds=[1, 2], steps=5, strength=0.8),
        on_step=lambda *args: seen.append(args),
    )
    assert seen == [(c, s, 4) for c in (0, 1) for s in (1, 2, 3, 4)]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "not found"),
        (lambda p: (p / "model.safetensors").write_bytes(b"x") and p / "model.safetensors", "not a readable"),
        (lambda p: p, "no model_index.json"),
    ],
)
def test_bad_model_references(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError, match=message):
        resolve_model(str(make(tmp_path)))


def test_a_damaged_model_folder_fails_to_load_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    shutil.copytree(tiny_model_folder(), folder)
    shutil.rmtree(folder / "unet")
    with pytest.raises(ModelError, match="cannot be loaded"):
        generate(resolve_model(str(folder)), Image.new("RGB", (32, 32)), GenerationSettings(prompt="x", seeds=[1]))


def test_tiny_inputs_are_refused_before_loading() -> None:
    with pytest.raises(ModelError, match="at least 8x8"):
        generate(resolve_model("tiny"), Image.new("RGB", (4, 4)), GenerationSettings(prompt="x", seeds=[1]))


def test_weight_digests_are_cached_by_path_size_and_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.engine import fingerprint

    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"x" * 1000)
    hashed: list[Path] = []
    real = fingerprint.sha256_file

    def counting(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(fingerprint, "sha256_file", counting)
    first = fingerprint_weights(weights)
    assert fingerprint_weights(weights) == first and len(hashed) == 1
    assert first.short_hash == first.weight_sha256["model.safetensors"][:10]
    before = weights.stat().st_mtime_ns
    weights.write_bytes(b"y" * 1000)  # same size, new content and time
    os.utime(weights, ns=(before + 10**9, before + 10**9))  # coarse file-system clocks must not hide it
    assert fingerprint_weights(weights) != first and len(hashed) == 2


def test_registered_models_are_found_by_name_and_disclose_their_license(
    project,
    chain,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from provenance.credits.sheet import credit_sheet
    from provenance.errors import AlreadyExistsError
    from provenance.model_registry import add_model, list_models

    folder = tmp_path / "house-v2"
    shutil.copytree(tiny_model_folder(), folder)
    model = add_model(project, "house-v2", folder, license="CreativeML OpenRAIL-M", notes="test weights")
    assert model.short_hash and len(model.weight_sha256) == 3
    # The copy has the tiny model's weights, so the registration names the record the chain already used.
    assert [m.name for m in list_models(project)] == ["house-v2"]
    record.record_generation(
        project, str(chain.sketch.asset_id), operator="sato-ken", prompt="x", model="house-v2", steps=2
    )
    disclosure = credit_sheet(project, "harbor").ai_disclosure
    assert disclosure.models[0].name == "house-v2" and disclosure.models[0].license == "CreativeML OpenRAIL-M"
    other = tmp_path / "other"
    shutil.copytree(tiny_model_folder(), other)
    (other / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"different weights")
    with pytest.raises(AlreadyExistsError, match="registered for other weights"):
        add_model(project, "house-v2", other)


class _RecordingPipeline:
    """Stands in for a diffusers pipeline and notes which memory switches were thrown."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.vae = self

    def enable_tiling(self) -> None:
        self.calls.append("vae tiling")

    def enable_attention_slicing(self) -> None:
        self.calls.append("attention slicing")

    def enable_model_cpu_offload(self) -> None:
        self.calls.append("cpu offload")

    def to(self, device: str) -> None:
        self.calls.append(f"to {device}")


@pytest.mark.parametrize(
    ("options", "device", "expected"),
    [
        (RuntimeOptions(), "cpu", ["to cpu"]),
        (
            RuntimeOptions(vae_tiling=True, attention_slicing=True),
            "cuda",
            ["vae tiling", "attention slicing", "to cuda"],
        ),
        # Offloading moves each part to the device when it runs, so the pipeline is not moved up front.
        (RuntimeOptions(cpu_offload=True), "cuda", ["cpu offload"]),
        (RuntimeOptions(cpu_offload=True), "cpu", ["to cpu"]),
    ],
)
def test_memory_options_reach_the_pipeline(options: RuntimeOptions, device: str, expected: list[str]) -> None:
    from provenance.engine.img2img import _apply

    pipeline = _RecordingPipeline()
    _apply(pipeline, options, device)
    assert pipeline.calls == expected


def test_cpu_offload_without_accelerate_is_one_clear_error() -> None:
    from provenance.engine.img2img import _apply

    class NoAccelerate(_RecordingPipeline):
        def enable_model_cpu_offload(self) -> None:
            raise ImportError("accelerate")

    with pytest.raises(ModelError, match="needs the accelerate package"):
        _apply(NoAccelerate(), RuntimeOptions(cpu_offload=True), "cuda")


class _RefusingPipeline(_RecordingPipeline):
    """A pipeline whose run fails as torch fails: here, the CPU allocator refusing a large picture's attention."""

    def __init__(self, error: RuntimeError) -> None:
        super().__init__()
        self.error = error

    def set_progress_bar_config(self, **config: object) -> None:
        pass

    def __call__(self, **arguments: object) -> None:
        raise self.error


CPU_ALLOCATOR_REFUSED = RuntimeError(
    "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to "
    "allocate 34359738368 bytes. Error code 12 (Cannot allocate memory)"
)


@pytest.mark.parametrize(
    ("error", "clear"),
    [(CPU_ALLOCATOR_REFUSED, True), (MemoryError(), True), (RuntimeError("a bug in a library"), False)],
)
def test_running_out_of_memory_on_the_cpu_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, clear: bool
) -> None:
    from provenance.engine import img2img

    monkeypatch.setattr(img2img, "_load", lambda source, dtype: _RefusingPipeline(error))
    monkeypatch.setattr(img2img, "_device", lambda torch: "cpu")
    settings = GenerationSettings(prompt="x", seeds=[1], steps=2)
    expected = ModelError if clear else RuntimeError
    with pytest.raises(expected) as raised:
        generate(resolve_model("tiny"), Image.new("RGB", (64, 64)), settings)
    if clear:
        assert str(raised.value).startswith("out of memory generating 64x64 on cpu; try `vae_tiling`")
    else:
        assert raised.value is error  # anything else is a bug, and goes up as it is


def test_a_rewrite_with_the_mtime_put_back_is_hashed_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keys on ctime and inode too: a user can set the mtime back, never the ctime."""
    from provenance.engine import fingerprint

    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"x" * 1000)
    hashed: list[Path] = []
    real = fingerprint.sha256_file

    def counting(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(fingerprint, "sha256_file", counting)
    first = fingerprint_weights(weights)
    recorded = weights.stat()
    # File-system clocks tick coarsely; wait for the next tick so the rewrite's ctime can differ at all.
    probe = tmp_path / "probe"
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns != recorded.st_ctime_ns:
            break
    weights.write_bytes(b"y" * 1000)
    os.utime(weights, ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
    rewritten = weights.stat()
    assert (rewritten.st_size, rewritten.st_mtime_ns, rewritten.st_ino) == (
        recorded.st_size,
        recorded.st_mtime_ns,
        recorded.st_ino,
    )
    again = fingerprint_weights(weights)
    assert len(hashed) == 2
    assert again.weight_sha256["model.safetensors"] == real(weights) != first.weight_sha256["model.safetensors"]


def test_loading_leaves_the_libraries_logging_as_the_user_set_it() -> None:
    import logging

    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    from provenance.engine.quiet import quiet_libraries

    diffusers_logging.set_verbosity_info()  # the "diffusers" logger's level
    transformers_logging.set_verbosity_debug()
    diffusers_logging.enable_progress_bar()
    with quiet_libraries():
        assert diffusers_logging.get_verbosity() == transformers_logging.get_verbosity() == logging.ERROR
        assert not diffusers_logging.is_progress_bar_enabled()
    assert logging.getLogger("diffusers").level == logging.INFO
    assert transformers_logging.get_verbosity() == logging.DEBUG
    assert diffusers_logging.is_progress_bar_enabled()
    diffusers_logging.set_verbosity_warning()
    transformers_logging.set_verbosity_warning()
