"""Other generators' metadata: AUTOMATIC1111 (PNG and JPEG), ComfyUI, InvokeAI."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from provenance.audit import audit_file
from provenance.generator_metadata import parse_a1111, read_generator_metadata
from provenance.project import Project

A1111 = (
    "harbor at dusk, anime background\nNegative prompt: people, text\n"
    "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567, Size: 768x432, Model hash: 6ce0161689, "
    'Model: v1-5-pruned-emaonly, Denoising strength: 0.6, Lora hashes: "a: 1, b: 2"'
)


def png_with(text: dict[str, str]) -> bytes:
    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 40).convert("RGB").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def test_a1111_text_is_parsed_field_by_field() -> None:
    fields = parse_a1111(A1111)
    assert fields["prompt"] == "harbor at dusk, anime background"
    assert fields["negative_prompt"] == "people, text"
    assert (fields["seed"], fields["steps"], fields["model_hash"]) == ("1234567", "20", "6ce0161689")
    assert fields["lora_hashes"] == "a: 1, b: 2"
    assert parse_a1111("just a prompt") == {"prompt": "just a prompt"}


def test_a1111_png_and_jpeg() -> None:
    png = read_generator_metadata(png_with({"parameters": A1111}))
    assert png is not None and png.generator == "AUTOMATIC1111" and png.parameters["seed"] == "1234567"
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + A1111.encode("utf-16-be")
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 40).convert("RGB").save(buffer, "JPEG", exif=exif)
    jpeg = read_generator_metadata(buffer.getvalue())
    assert jpeg is not None and jpeg.generator == "AUTOMATIC1111" and jpeg.parameters["model"] == "v1-5-pruned-emaonly"


def test_comfyui_and_invokeai() -> None:
    prompt = {
        "3": {
            "class_type": "KSampler",
            "inputs": {"seed": 42, "steps": 25, "cfg": 6.5, "sampler_name": "euler", "model": ["4", 0]},
        },
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
    }
    comfy = read_generator_metadata(png_with({"prompt": json.dumps(prompt), "workflow": "{}"}))
    assert comfy is not None and comfy.generator == "ComfyUI"
    assert comfy.parameters == {
        "nodes": 2,
        "seed": 42,
        "steps": 25,
        "cfg": 6.5,
        "sampler_name": "euler",
        "model": "sd_xl_base_1.0.safetensors",
    }
    invoke = read_generator_metadata(png_with({"invokeai_metadata": json.dumps({"seed": 7, "model": {"name": "x"}})}))
    assert invoke is not None and invoke.generator == "InvokeAI" and invoke.parameters["seed"] == 7
    assert read_generator_metadata(png_with({"Software": "Krita"})) is None


def test_audit_reports_foreign_ai(project: Project, tmp_path: Path) -> None:
    made_elsewhere = tmp_path / "elsewhere.png"
    made_elsewhere.write_bytes(png_with({"parameters": A1111}))
    report = audit_file(project, made_elsewhere)
    assert report.verdict == "foreign-ai-metadata" and report.exit_code() == 8
    assert report.foreign is not None and report.foreign.parameters["seed"] == "1234567"
    assert report.stages[0].ai and report.stages[0].people == [] and report.stages[0].tool == "AUTOMATIC1111"
    assert "seed 1234567" in report.statement


def test_docstring_examples() -> None:
    import doctest

    from provenance import generator_metadata

    assert doctest.testmod(generator_metadata).failed == 0
