"""Single-file checkpoints: architecture read from the file, shipped skeletons, tiny SD and SDXL loaded both ways."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from safetensors.torch import load_file, save_file
from sqlmodel import select

from provenance.audit.replay import replay_generation
from provenance.cli import main
from provenance.engine import GenerationSettings, generate, resolve_model
from provenance.engine.checkpoints import checkpoint_architecture
from provenance.engine.img2img import _load
from provenance.engine.skeletons import skeleton_folder
from provenance.engine.tiny import tiny_model_folder
from provenance.errors import ModelError
from provenance.project import Project
from provenance.store import AIModel

from .conftest import STEPS, Chain, snapshot
from .model_files import build_tiny_sdxl, write_lora, write_single_file

pytestmark = pytest.mark.diffusion


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny SD and a tiny SDXL, each as a diffusers folder and as an A1111-style single file."""
    root = tmp_path_factory.mktemp("checkpoints")
    sdxl = build_tiny_sdxl(root / "tiny-xl")
    sd_file = write_single_file(tiny_model_folder(), root / "tiny-sd.safetensors")
    # The older pickle format, as many SD 1.x checkpoints still come.
    torch.save({"state_dict": load_file(str(sd_file))}, root / "tiny-sd.ckpt")
    return {
        "sd": tiny_model_folder(),
        "sd-file": sd_file,
        "sd-ckpt": root / "tiny-sd.ckpt",
        "sdxl": sdxl,
        "sdxl-file": write_single_file(sdxl, root / "tiny-xl.safetensors"),
    }


@pytest.mark.parametrize(("architecture", "file"), [("sd", "sd-file"), ("sd", "sd-ckpt"), ("sdxl", "sdxl-file")])
def test_a_single_file_makes_the_same_pixels_as_its_folder(
    files: dict[str, Path], architecture: str, file: str
) -> None:
    folder, single = files[architecture], files[file]
    image, settings = Image.new("RGB", (64, 64), "white"), GenerationSettings(prompt="harbor", seeds=[3], steps=4)
    from_folder = generate(resolve_model(str(folder)), image, settings)
    source = resolve_model(str(single), config=str(folder))
    assert source.architecture == architecture and source.single_file and source.name == single.stem
    from_file = generate(source, image, settings)
    expected = "StableDiffusionXLImg2ImgPipeline" if architecture == "sdxl" else "StableDiffusionImg2ImgPipeline"
    assert from_folder.pipeline == from_file.pipeline == expected
    # Same pixels up to rounding: the two loads build the modules through different code paths, and some
    # CPUs round one op differently (one 8-bit level in one channel was seen). The weights must be equal.
    folder_pixels = np.asarray(from_folder.candidates[0].image, dtype=np.int16)
    file_pixels = np.asarray(from_file.candidates[0].image, dtype=np.int16)
    difference = np.abs(folder_pixels - file_pixels)
    assert difference.max() <= 2 and difference.mean() <= 0.01, (difference.max(), difference.mean())


@pytest.mark.parametrize(("architecture", "file"), [("sd", "sd-file"), ("sd", "sd-ckpt"), ("sdxl", "sdxl-file")])
def test_a_single_file_loads_the_same_weights_as_its_folder(
    files: dict[str, Path], architecture: str, file: str
) -> None:
    """What the single-file path must get exactly right: every tensor of every component, bit for bit."""
    folder_pipeline = _load(resolve_model(str(files[architecture])), torch.float32)
    file_pipeline = _load(resolve_model(str(files[file]), config=str(files[architecture])), torch.float32)
    for name, component in folder_pipeline.components.items():
        if not hasattr(component, "state_dict"):
            continue
        expected, loaded = component.state_dict(), file_pipeline.components[name].state_dict()
        assert expected.keys() == loaded.keys(), name
        differing = [key for key in expected if not torch.equal(expected[key], loaded[key])]
        assert differing == [], f"{name}: {differing[:5]}"


def test_the_architecture_is_read_from_the_file_and_picks_a_skeleton(files: dict[str, Path]) -> None:
    assert checkpoint_architecture(files["sd-file"]) == "sd"
    assert checkpoint_architecture(files["sdxl-file"]) == "sdxl"
    assert resolve_model(str(files["sd-file"])).config == skeleton_folder("sd15")
    assert resolve_model(str(files["sdxl-file"])).config == skeleton_folder("sdxl")


def _tensors(path: Path, names: list[str]) -> Path:
    save_file({name: torch.zeros(1, 4, 1, 1) for name in names}, str(path))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d / "layout.png", b"\x89PNG"), "not a checkpoint: give a .safetensors or .ckpt file"),
        (lambda d: _write(d / "broken.safetensors", b"\x00" * 64), "not a readable safetensors file"),
        (lambda d: _write(d / "broken.ckpt", b"not a pickle"), "not a readable checkpoint"),
        (lambda d: write_lora(d / "style.safetensors"), "is a LoRA, not a checkpoint"),
        (lambda d: _tensors(d / "vae.safetensors", ["encoder.conv_in.weight"]), "holds no Stable Diffusion UNet"),
        (
            lambda d: _tensors(
                d / "sd2.safetensors", ["model.diffusion_model.out.2.weight", "cond_stage_model.model.ln"]
            ),
            "Stable Diffusion 2.x weights, for which no config ships",
        ),
        (
            lambda d: _tensors(
                d / "refiner.safetensors", ["model.diffusion_model.out.2.weight", "conditioner.embedders.0.model.ln"]
            ),
            "is an SDXL refiner",
        ),
        (lambda d: _inpainting(d / "inpaint.safetensors"), "is an inpainting checkpoint"),
    ],
)
def test_files_that_are_not_usable_checkpoints_are_named_clearly(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError, match=message):
        resolve_model(str(make(tmp_path)))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _inpainting(path: Path) -> Path:
    save_file({"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(320, 9, 3, 3)}, str(path))
    return path


@pytest.mark.parametrize(
    ("file", "config", "message"),
    [
        ("sdxl-file", "sd15", "tiny-xl.safetensors holds SDXL weights but config 'sd15' is for Stable Diffusion 1.x"),
        ("sd-file", "sdxl", "tiny-sd.safetensors holds Stable Diffusion 1.x weights but config 'sdxl' is for SDXL"),
        ("sd-file", "no-such-folder", "config 'no-such-folder' not found"),
    ],
)
def test_a_config_for_another_architecture_is_refused(
    files: dict[str, Path], file: str, config: str, message: str
) -> None:
    with pytest.raises(ModelError, match=message):
        resolve_model(str(files[file]), config=config)


def test_a_file_that_does_not_fit_its_config_fails_to_load_clearly(files: dict[str, Path]) -> None:
    # The tiny file, built with the real SD 1.5 skeleton: the shapes cannot match.
    with pytest.raises(ModelError, match="tiny-sd.safetensors does not fit the config at .*sd15.*expected shape"):
        generate(resolve_model(str(files["sd-file"])), Image.new("RGB", (64, 64)), GenerationSettings("x", [1]))


def test_the_shipped_skeletons_build_the_published_architectures() -> None:
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    def parameters(module: torch.nn.Module) -> int:
        return sum(parameter.numel() for parameter in module.parameters())

    published = {  # parameter counts of stable-diffusion-v1-5 and stable-diffusion-xl-base-1.0
        "sd15": {"unet": 859_520_964, "vae": 83_653_863, "text_encoder": 123_060_480},
        "sdxl": {"unet": 2_567_463_684, "vae": 83_653_863, "text_encoder": 123_060_480, "text_encoder_2": 694_659_840},
    }
    for name, expected in published.items():
        folder = skeleton_folder(name)
        with init_empty_weights():
            built = {
                "unet": UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(folder / "unet")),
                "vae": AutoencoderKL.from_config(AutoencoderKL.load_config(folder / "vae")),
                "text_encoder": CLIPTextModel(CLIPTextConfig.from_pretrained(folder / "text_encoder")),
            }
            if name == "sdxl":
                config = CLIPTextConfig.from_pretrained(folder / "text_encoder_2")
                built["text_encoder_2"] = CLIPTextModelWithProjection(config)
        assert {part: parameters(module) for part, module in built.items()} == expected
        index = json.loads((folder / "model_index.json").read_text())
        for tokenizer_name in (key for key in index if key.startswith("tokenizer")):
            tokenizer = CLIPTokenizer.from_pretrained(folder / tokenizer_name)
            # CLIP's own ids for this sentence; the SDXL second tokenizer pads with "!" (id 0).
            assert tokenizer("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
            assert len(tokenizer) == 49408 and tokenizer.model_max_length == 77
            padding = tokenizer("a", padding="max_length", max_length=4).input_ids[-1]
            assert padding == (0 if tokenizer_name == "tokenizer_2" else 49407)


def test_a_registered_single_file_generates_records_and_replays(
    project: Project, chain: Chain, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.root)
    runner = CliRunner()
    added = runner.invoke(
        main, ["model", "add", "xl-house", str(files["sdxl-file"]), "--config", str(files["sdxl"]), "--license", "L"]
    )
    assert added.exit_code == 0, added.output
    assert "(sdxl, 1 weight file, hash" in added.output
    command = ["generate", str(chain.sketch.asset_id), "--prompt", "harbor", "--operator", "sato-ken"]
    result = runner.invoke(main, [*command, "--model", "xl-house", "--seed", "4", "--steps", str(STEPS), "--json"])
    assert result.exit_code == 0, result.output
    [candidate] = json.loads(result.output)
    with project.store.session() as session:
        model = session.exec(select(AIModel).where(AIModel.name == "xl-house")).one()
    assert model.config == str(files["sdxl"]) and model.weight_sha256.keys() == {"tiny-xl.safetensors"}
    assert replay_generation(project, str(candidate["id"])).verdict == "identical"


def test_an_sdxl_file_with_the_sd_config_records_nothing(
    project: Project, chain: Chain, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.root)
    before = snapshot(project)
    command = ["generate", str(chain.sketch.asset_id), "--prompt", "x", "--operator", "sato-ken"]
    result = CliRunner().invoke(main, [*command, "--model", str(files["sdxl-file"]), "--config", "sd15"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: tiny-xl.safetensors holds SDXL weights but config 'sd15' is for Stable Diffusion 1.x; "
        "leave --config out to use the right one"
    ]
    assert snapshot(project) == before
