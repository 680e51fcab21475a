"""Benchmark: a tracked `provenance generate` against a bare diffusers script doing the same work.

Both run as whole processes (Python start-up, imports and model loading included), alternated in one run:
the same tiny model folder, the same 512x512 input, seeds 100-103, 4 candidates, 20 steps at strength 0.6,
and each writes 4 PNGs. The tracked run also records the stages, measures the change masks, signs a C2PA
manifest into every file and writes the A1111 text. Target: tracked / bare <= 1.05.

Also timed: what tracking adds per candidate after denoising (recording 4 real candidates in process against
saving them as the bare script does), and fingerprinting a 2 GB weight file the first time and from the cache.

The tiny model denoises fast, so it shows the fixed costs at their heaviest. ``--model FOLDER`` runs the
same comparison with any diffusers folder, and ``--random-sd15 FOLDER`` first builds one there with Stable
Diffusion 1.5's real architecture and random weights (from the shipped config skeleton; ~1.7 GB), for the
cost of a real model's denoising without its weights.

    python benchmarks/generate_overhead.py [--rounds 3] [--skip-fingerprint] [--model FOLDER | --random-sd15 FOLDER]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from provenance import catalog, record
from provenance.demo import draw_layout
from provenance.engine.fingerprint import fingerprint_weights
from provenance.engine.skeletons import skeleton_folder
from provenance.engine.tiny import tiny_model_folder
from provenance.project import Project

SEEDS = [100, 101, 102, 103]
BARE = textwrap.dedent(
    """
    import sys, torch
    from diffusers import AutoPipelineForImage2Image
    from PIL import Image
    model, source, out = sys.argv[1:4]
    pipeline = AutoPipelineForImage2Image.from_pretrained(model, torch_dtype=torch.float32, local_files_only=True)
    pipeline.set_progress_bar_config(disable=True)
    image = Image.open(source).convert("RGB")
    for seed in (100, 101, 102, 103):
        result = pipeline(prompt="harbor street at dusk", image=image, strength=0.6, num_inference_steps=20,
                          guidance_scale=7.0, generator=torch.Generator("cpu").manual_seed(seed)).images[0]
        result.save(f"{out}/bare_{seed}.png")
    """
)


def timed(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    return time.perf_counter() - started


def random_sd15(folder: Path) -> Path:
    """A diffusers folder with SD 1.5's architecture and seeded random weights, built from the skeleton."""
    if (folder / "model_index.json").is_file():
        return folder
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionImg2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    skeleton = skeleton_folder("sd15")
    torch.manual_seed(0)
    pipeline = StableDiffusionImg2ImgPipeline(
        vae=AutoencoderKL.from_config(AutoencoderKL.load_config(skeleton / "vae")),
        text_encoder=CLIPTextModel(CLIPTextConfig.from_pretrained(skeleton / "text_encoder")),
        tokenizer=CLIPTokenizer.from_pretrained(skeleton / "tokenizer"),
        unet=UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(skeleton / "unet")),
        scheduler=PNDMScheduler.from_pretrained(skeleton / "scheduler"),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.to(torch.float16).save_pretrained(folder)  # half the disk; both runs load it as float32
    return folder


def file_work(studio: Path, asset_id: int, model: Path, layout: Path, out: Path, rounds: int) -> None:
    """What tracking adds per candidate after denoising, in process: recording 4 real candidates (masks,
    encoding, signing, rows, hashes, flushed writes) against saving the same 4 pictures as the bare script does.
    """
    from PIL import Image

    from provenance import engine

    settings = engine.GenerationSettings(prompt="harbor street at dusk", seeds=SEEDS, strength=0.6, steps=20)
    run = engine.generate(engine.resolve_model(str(model)), Image.open(layout).convert("RGB"), settings)
    project = Project.find(studio)
    tracked, bare = [], []
    for _ in range(rounds + 2):  # the first two warm the caches
        started = time.perf_counter()
        record.record_generation(
            project, str(asset_id), operator="sato-ken", prompt=settings.prompt, model=str(model),
            seed=SEEDS[0], candidates=len(SEEDS), generator=lambda *args, **kwargs: run,
        )  # fmt: skip
        tracked.append(time.perf_counter() - started)
        started = time.perf_counter()
        for candidate in run.candidates:
            candidate.image.save(out / f"bare_{candidate.seed}.png")
        bare.append(time.perf_counter() - started)
    project.close()
    tracked_ms, bare_ms = statistics.median(tracked[2:]) * 1000, statistics.median(bare[2:]) * 1000
    print(
        f"\nfile work for {len(SEEDS)} candidates (median of {rounds}): recorded {tracked_ms:.0f} ms, "
        f"bare PNG saves {bare_ms:.0f} ms; tracking adds {(tracked_ms - bare_ms) / len(SEEDS):.0f} ms a candidate"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-fingerprint", action="store_true")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--model", type=Path, help="a diffusers folder to compare with (default: tiny)")
    choice.add_argument("--random-sd15", type=Path, metavar="FOLDER", help="build a random-weight SD 1.5 there")
    arguments = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    environment = dict(os.environ)
    try:
        if arguments.random_sd15:
            model = random_sd15(arguments.random_sd15)
        else:
            model = arguments.model or tiny_model_folder()
        print(f"model: {model}")
        project = Project.init(root / "studio", studio="Benchmark Studio")
        catalog.add_person(project, "Tanaka Aiko")
        catalog.add_person(project, "Sato Ken")
        catalog.add_production(project, "Harbor Lights", handle="harbor")
        catalog.add_background(project, "harbor", "C012")
        layout = root / "layout.png"
        draw_layout().resize((512, 512)).save(layout)
        sketch = record.record_sketch(project, "harbor/C012", layout, artist="tanaka-aiko")
        project.close()
        (root / "bare.py").write_text(BARE)
        (root / "bare-out").mkdir()
        bare = [sys.executable, str(root / "bare.py"), str(model), str(layout), str(root / "bare-out")]
        tracked = [
            sys.executable, "-m", "provenance", "--project", str(root / "studio"), "generate", str(sketch.asset_id),
            "--prompt", "harbor street at dusk", "--operator", "sato-ken", "--model", str(model),
            "--candidates", "4", "--seed", str(SEEDS[0]), "--steps", "20", "--strength", "0.6",
        ]  # fmt: skip
        timed(bare, environment)  # warm the page cache for both
        timings: dict[str, list[float]] = {"bare diffusers script": [], "provenance generate": []}
        for _ in range(arguments.rounds):
            timings["bare diffusers script"].append(timed(bare, environment))
            timings["provenance generate"].append(timed(tracked, environment))
        baseline = statistics.median(timings["bare diffusers script"])
        print(f"| process | median of {arguments.rounds} | runs | ratio |\n|---|---|---|---|")
        for name, values in timings.items():
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(
                f"| {name} | {statistics.median(values):.2f} s | {runs} | {statistics.median(values) / baseline:.3f} |"
            )

        file_work(root / "studio", sketch.asset_id, model, layout, root / "bare-out", arguments.rounds)

        if not arguments.skip_fingerprint:
            big = root / "weights.safetensors"
            with big.open("wb") as handle:
                block = os.urandom(16 * 1024 * 1024)
                for _ in range(128):  # 2 GiB
                    handle.write(block)
            environment_cache = root / "cache"
            os.environ["PROVENANCE_CACHE"] = str(environment_cache)
            started = time.perf_counter()
            fingerprint_weights(big)
            first = time.perf_counter() - started
            started = time.perf_counter()
            fingerprint_weights(big)
            cached = time.perf_counter() - started
            print(f"\nfingerprint of a 2 GiB file: first {first:.2f} s, cached {cached * 1000:.2f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
