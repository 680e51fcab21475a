"""Other generators' metadata: AUTOMATIC1111 (PNG and JPEG), ComfyUI, InvokeAI; and the A1111 text we write."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlmodel import select

from provenance.a1111 import format_a1111, parse_a1111
from provenance.audit import audit_file
from provenance.cli.exit_codes import audit_code
from provenance.generator_metadata import read_generator_metadata
from provenance.project import Project
from provenance.records import LoraRecord
from provenance.store import AIModel

from . import a1111_reference as a1111
from .conftest import Chain

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
    assert report.verdict == "foreign-ai-metadata" and audit_code(report) == 8
    assert report.foreign is not None and report.foreign.parameters["seed"] == "1234567"
    assert report.stages[0].ai and report.stages[0].people == [] and report.stages[0].tool == "AUTOMATIC1111"
    assert "seed 1234567" in report.statement


def test_docstring_examples() -> None:
    import doctest

    from provenance import a1111, generator_metadata

    assert doctest.testmod(generator_metadata).failed == 0
    assert doctest.testmod(a1111).failed == 0


# ---- Conformance: our text read by a re-implementation of A1111's own reader and writer ----------------

PROMPT = 'harbor at dusk, (anime:1.2), "quoted", 港の背景'
NEGATIVE = "people, text: none"
# Model names A1111's writer handles, with what its quoting must survive.
MODEL_NAMES = [
    'house "v2", test',
    "C:\\models\\anime:v3",
    "背景モデル・港",
    'back\\slash "q"',
    "emoji 🎨, 色",
    "two\nlines",
]
# ...and names A1111's own writer would lose, that we quote so that its reader still reads them back.
NAMES_A1111_WOULD_LOSE = ['"quoted"', " padded ", "Model"]


def lora(stem: str, weight: float, addnet: str, **metadata: str) -> LoraRecord:
    return LoraRecord(
        name=stem, sha256=hashlib.sha256(stem.encode()).hexdigest(), short_hash="0" * 10,
        addnet_hash=addnet, weight=weight, metadata=metadata,
    )  # fmt: skip


# (record, the name A1111 shows in <lora:NAME:W>, the hash it lists for it)
LORAS = [
    (lora("ink-wash", 0.8, "1" * 64, ss_output_name="ink-wash"), "ink-wash", "1" * 12),
    (lora("sumi", -1.0, "2" * 64, ss_output_name='ink "wash", v2'), 'ink "wash", v2', "2" * 12),
    (lora("港の墨絵", 0.123456789, "3" * 64), "港の墨絵", "3" * 12),
    (lora("style:v1", 1.0, "4" * 64), "stylev1", "4" * 12),  # a tag cannot hold ":"
    (lora("back\\slash", 0.5, "5" * 64, ss_output_name="None"), "back\\slash", "5" * 12),  # alias "none" is refused
    (lora("eq", 0.25, "6" * 64, ss_output_name="a=b>c"), "abc", "6" * 12),
    (lora("claimed", 0.7, "7" * 64, sshs_model_hash="ab" * 32), "claimed", "ab" * 6),  # the header's hash wins
]


def our_text(model: str, loras: list[LoraRecord]) -> str:
    return format_a1111(
        prompt=PROMPT, negative_prompt=NEGATIVE, steps=20, scheduler="DPMSolverMultistepScheduler", guidance=7.5,
        seed=1234567, size=(768, 432), model_hash="6ce0161689", model=model, strength=0.6,
        version="provenance 0.1.0", loras=loras, scheduler_config={"use_karras_sigmas": True},
    )  # fmt: skip


def a1111_settings(model: str, lora_hashes: str | None) -> dict[str, object]:
    """What create_infotext lists for the same img2img run, in its order."""
    return {
        "Steps": 20, "Sampler": "DPM++ 2M", "Schedule type": "Karras", "CFG scale": 7.5, "Seed": 1234567,
        "Size": "768x432", "Model hash": "6ce0161689", "Model": model, "Denoising strength": 0.6, "RNG": "CPU",
        "Lora hashes": lora_hashes, "Version": "provenance 0.1.0",
    }  # fmt: skip


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_our_text_is_what_a1111_writes(model: str) -> None:
    records = [record for record, _, _ in LORAS]
    tags = " ".join(f"<lora:{name}:{record.weight!r}>".replace(".0>", ">") for record, name, _ in LORAS)
    hashes = ", ".join(f"{name.replace(':', '').replace(',', '')}: {short}" for _, name, short in LORAS)
    expected = a1111.create_infotext(f"{PROMPT} {tags}", NEGATIVE, a1111_settings(model, hashes))
    assert our_text(model, records) == expected


@pytest.mark.parametrize("model", MODEL_NAMES + NAMES_A1111_WOULD_LOSE)
def test_a1111_reads_back_every_field(model: str) -> None:
    text = our_text(model, [record for record, _, _ in LORAS])
    fields = a1111.parse_generation_parameters(text)

    tags = a1111.extra_network_tags(fields["Prompt"])
    assert a1111.EXTRA_NETWORK.sub("", fields["Prompt"]).strip() == PROMPT
    assert [(tag.kind, tag.positional[0]) for tag in tags] == [("lora", name) for _, name, _ in LORAS]
    assert [float(tag.positional[1]) for tag in tags] == [record.weight for record, _, _ in LORAS]
    assert all(not tag.named and len(tag.positional) == 2 for tag in tags)
    expected = {key: str(value) for key, value in a1111_settings(model, None).items() if value is not None}
    del expected["Size"]
    assert {key: fields[key] for key in expected} == expected
    assert (fields["Size-1"], fields["Size-2"], fields["Negative prompt"]) == ("768", "432", NEGATIVE)

    # Pasted into A1111, every tag finds its LoRA, by the hash in "Lora hashes" or by name.
    hashes = a1111.lora_hashes(fields["Lora hashes"])
    assert hashes == {name.replace(":", "").replace(",", ""): short for _, name, short in LORAS}
    available = [
        a1111.LoraOnDisk(record.name, record.metadata.get("ss_output_name", record.name), short)
        for record, _, short in LORAS
    ]
    pasted_names = a1111.LORA_TAG_NAME.findall(fields["Prompt"])
    assert pasted_names == [tag.positional[0] for tag in tags]
    assert [a1111.resolve_lora(name, hashes, available) for name in pasted_names] == available

    # Our own reader reads what A1111's does.
    ours = parse_a1111(text)
    assert ours["size"] == "768x432"
    same_keys = {key: value for key, value in fields.items() if key not in ("Size-1", "Size-2")}
    assert {key: ours[key.lower().replace(" ", "_")] for key in same_keys} == same_keys


@pytest.mark.parametrize("model", NAMES_A1111_WOULD_LOSE)
def test_a1111s_own_writer_loses_these_names(model: str) -> None:
    written_by_a1111 = a1111.create_infotext(PROMPT, "", a1111_settings(model, None))
    assert a1111.parse_generation_parameters(written_by_a1111).get("Model") != model
    assert a1111.parse_generation_parameters(our_text(model, []))["Model"] == model


def test_rng_is_written_only_when_it_is_not_the_gpu() -> None:
    settings = dict(prompt="p", negative_prompt="", steps=2, scheduler="DDIMScheduler", guidance=7.0, seed=1,
                    size=(8, 8), model_hash="0" * 10, model="m", strength=0.5, version="v")  # fmt: skip
    assert a1111.parse_generation_parameters(format_a1111(**settings))["RNG"] == "CPU"  # type: ignore[arg-type]
    on_gpu = format_a1111(**settings, rng="GPU")  # type: ignore[arg-type]
    assert "RNG" not in on_gpu and a1111.parse_generation_parameters(on_gpu)["RNG"] == "GPU"


def test_a_generated_candidate_reads_back_in_a1111(project: Project, chain: Chain) -> None:
    with Image.open(project.absolute(chain.candidates[1].path)) as candidate:
        fields = a1111.parse_generation_parameters(candidate.text["parameters"])
    with project.store.session() as session:
        model = session.exec(select(AIModel)).one()
    assert fields["Prompt"] == "harbor" and fields["Negative prompt"] == ""
    assert (fields["Steps"], fields["Sampler"], fields["Schedule type"], fields["Seed"]) == (
        "4",
        "DDIM",
        "Automatic",
        "6",
    )
    assert (fields["Model"], fields["Model hash"], fields["Denoising strength"]) == ("tiny", model.short_hash, "0.6")
    # Our engine seeds a CPU generator for every candidate: A1111's "RNG: CPU".
    assert fields["RNG"] == "CPU"


KEY_CHARACTERS = 'ab_ -/:,"\\\t1é'


def test_our_settings_scanner_finds_what_a1111s_regex_finds() -> None:
    from provenance.a1111 import _settings_pairs

    generator = random.Random(20240711)
    lines = ['Steps: 20, Model: "a\\"b, c", Size: 8x8', "-Steps: 1", "a b: c:d, e", 'k: "x" y, z: 1', "x:,y: ,"]
    lines += ["".join(generator.choices(KEY_CHARACTERS, k=generator.randint(0, 24))) for _ in range(20_000)]
    for line in lines:
        assert _settings_pairs(line) == a1111.PARAM.findall(line), line


# ---- Hostile metadata: whatever a file holds, a bounded answer or None, never an exception ------------


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def jpeg_with_user_comment(user_comment: object) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = user_comment
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png_with_ztxt(key: str, value: str) -> bytes:
    info = PngInfo()
    info.add_text(key, value, zip=True)
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: data.index(b"IDAT") + 20]


HOSTILE = {
    "comfyui prompt not JSON": (png_with({"prompt": "{not json", "workflow": "{"}), {"nodes": 0}),
    "comfyui prompt nested deep": (png_with({"prompt": deep_json(100_000)}), {"nodes": 0}),
    "comfyui prompt a list": (png_with({"prompt": "[1, 2]"}), {"nodes": 0}),
    "comfyui nodes not objects": (
        png_with({"prompt": json.dumps({"1": 5, "2": [1], "3": "x", "4": None})}),
        {"nodes": 0},
    ),
    "comfyui class_type not text": (
        png_with(
            {"prompt": json.dumps({"1": {"class_type": 5, "inputs": {"seed": 1}}, "2": {"class_type": ["KSampler"]}})}
        ),
        {"nodes": 2},
    ),
    "comfyui inputs a list": (
        png_with({"prompt": json.dumps({"1": {"class_type": "KSampler", "inputs": [1, 2]}})}),
        {"nodes": 1},
    ),
    "comfyui inputs odd values": (
        png_with(
            {
                "prompt": json.dumps(
                    {
                        "1": {
                            "class_type": "KSamplerAdvanced",
                            "inputs": {
                                "seed": {"a": 1},
                                "steps": ["2", 0],
                                "cfg": float("nan"),
                                "sampler_name": "x" * 50_000,
                                "ckpt_name": ["4", 0],
                            },
                        }
                    }
                )
            }
        ),
        {"nodes": 1, "cfg": "nan", "sampler_name": "x" * 10_000 + "… (50000 characters)"},
    ),
    "invokeai not an object": (png_with({"invokeai_metadata": "[1, 2, 3]"}), {"unparsed": "[1, 2, 3]"}),
    "invokeai not JSON": (png_with({"invokeai_metadata": "{"}), {"unparsed": "{"}),
    "invokeai nested deep": (png_with({"invokeai_metadata": '{"a":' * 50_000 + "1" + "}" * 50_000}), None),
    "invokeai very wide": (png_with({"invokeai_metadata": json.dumps({f"k{i}": i for i in range(100_000)})}), None),
    "a1111 text over the limit": (png_with({"parameters": "p, " * 100_000}), None),
    "a1111 long run without a colon": (
        png_with({"parameters": "p\n" + "a" * 200_000 + ", Steps: 2, Seed: 3, Model: 4"}),
        {"prompt": "p", "steps": "2", "seed": "3", "model": "4"},
    ),
    "a1111 many open quotes": (png_with({"parameters": "p\n" + 'k: "x, ' * 30_000}), None),
    "compressed text over Pillow's limit": (png_with_ztxt("parameters", "a" * (2 * 1024 * 1024)), "none"),
    "pixels cut off after the text": (truncated(png_with({"parameters": A1111})), {"seed": "1234567"}),
    "user comment random bytes": (jpeg_with_user_comment(bytes(range(256)) * 4), "none"),
    "user comment odd UTF-16": (jpeg_with_user_comment(b"UNICODE\x00\x00a\x00"), "none"),
    "user comment from a camera": (jpeg_with_user_comment(b"ASCII\x00\x00\x00Shot at the harbor"), "none"),
    "user comment not bytes": (jpeg_with_user_comment(12345), "none"),
    "not an image": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "none"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_metadata_gives_a_bounded_answer(case: str) -> None:
    data, expected = HOSTILE[case]
    found = read_generator_metadata(data)
    if expected == "none":
        assert found is None
        return
    assert found is not None
    assert len(found.model_dump_json()) < 200_000
    if expected is not None:
        assert {key: found.parameters.get(key) for key in expected} == expected
