"""AUTOMATIC1111's ``parameters`` text: written for our AI outputs exactly as A1111 writes it, and read back.

Our AI outputs carry this text too, so the tools artists already use read their settings, LoRAs included.
Both functions are pure.

>>> parse_a1111("a harbor\\nNegative prompt: people\\nSteps: 20, Seed: 42, Model hash: 6ce0161689")["seed"]
'42'
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .records import LoraRecord

# Characters of A1111 text parsed from a file of unknown origin; real ones are a few kB.
A1111_TEXT_LIMIT = 256 * 1024

# What A1111 (v1.10, modules/processing.py create_infotext, modules/infotext_utils.py) writes, and how it
# reads it back (parse_generation_parameters):
# - text = prompt, then "\nNegative prompt: ..." when there is one, then "\n" and the settings line, all
#   stripped. Settings are "Key: value" joined by ", ", in a fixed order, None values left out.
# - A value is written as str(value), unless it contains "," or ":" or a newline: then it is written
#   json.dumps(value, ensure_ascii=False). The reader json.loads a value that starts and ends with '"'.
# - The reader takes the last line as settings only if its regex finds at least 3 pairs there; every
#   other line is stripped, and lines from the one starting "Negative prompt:" on are the negative prompt.
# - "RNG" is written only when the noise source is not the default "GPU"; a missing RNG reads as GPU.
# - LoRAs: see a1111_lora_name and a1111_lora_hash.

# Keys are a word character then word characters, spaces, "-" or "/"; the value is a JSON string followed
# by "," or the end, or else everything up to the next ",".
_KEY_RUN_BEFORE_COLON = re.compile(r"(?<![\w \-/])[\w \-/]++:")
_WORD = re.compile(r"\w")
_SETTING_VALUE = re.compile(r'\s*("(?:\\.|[^\\"])+"(?=,|$)|[^,]*)')

# diffusers scheduler classes under the names AUTOMATIC1111 shows for the same samplers.
A1111_SAMPLERS = {
    "DDIMScheduler": "DDIM",
    "PNDMScheduler": "PLMS",
    "LMSDiscreteScheduler": "LMS",
    "EulerDiscreteScheduler": "Euler",
    "EulerAncestralDiscreteScheduler": "Euler a",
    "HeunDiscreteScheduler": "Heun",
    "KDPM2DiscreteScheduler": "DPM2",
    "KDPM2AncestralDiscreteScheduler": "DPM2 a",
    "DPMSolverMultistepScheduler": "DPM++ 2M",
    "DPMSolverSDEScheduler": "DPM++ SDE",
    "UniPCMultistepScheduler": "UniPC",
    "LCMScheduler": "LCM",
}
# diffusers' sigma options under A1111's "Schedule type" labels; without one, a sampler runs its own default.
_SCHEDULE_TYPES = {"use_karras_sigmas": "Karras", "use_exponential_sigmas": "Exponential", "use_beta_sigmas": "Beta"}
# A1111 reads <lora:NAME:WEIGHT> with the pattern <(\w+):([^>]+)>, splits on ":" and takes an item with
# one "=" as a named argument; a name with these characters cannot be written in a tag at all.
_NOT_IN_LORA_TAGS = str.maketrans("", "", ":>=\n")
# A1111's Lora extension removes these from the names in "Lora hashes", whose entries are "name: hash".
_NOT_IN_LORA_HASH_NAMES = str.maketrans("", "", ":,")
_HEX_HASH = re.compile(r"[0-9a-fA-F]{12,}")


def parse_a1111(text: str) -> dict[str, Any]:
    """The fields of an A1111 ``parameters`` text, read as A1111 reads them, keys in snake case.

    ``Model hash`` becomes ``model_hash``; values are the strings A1111 reads (quoted ones decoded);
    ``negative_prompt`` is there only when the text has a ``Negative prompt:`` line.

    >>> parse_a1111('harbor\\nSteps: 20, Sampler: DDIM, Model: "house \\\\"v2\\\\", test"')["model"]
    'house "v2", test'
    """
    *lines, last = text.strip().split("\n")
    pairs = _settings_pairs(last)
    if len(pairs) < 3:
        lines.append(last)
        pairs = []
    prompt: list[str] = []
    negative: list[str] | None = None
    for line in (line.strip() for line in lines):
        if line.startswith("Negative prompt:"):
            negative = negative if negative is not None else []
            line = line.removeprefix("Negative prompt:").strip()
        (prompt if negative is None else negative).append(line)
    fields: dict[str, Any] = {"prompt": _joined(prompt)}
    if negative is not None:
        fields["negative_prompt"] = _joined(negative)
    for key, value in pairs:
        if value:  # A1111 skips an empty value
            fields[key.strip().lower().replace(" ", "_")] = _unquoted(value)
    return fields


def _joined(lines: list[str]) -> str:
    # A1111 adds a line break only once the text so far is not empty, so leading blank lines vanish.
    return "\n".join(itertools.dropwhile(lambda line: line == "", lines))


def _unquoted(value: str) -> str:
    if value[0] == '"' and value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, str) else value
    return value


def _settings_pairs(line: str) -> list[tuple[str, str]]:
    """The ``(key, raw value)`` pairs A1111's settings pattern finds in ``line``, found in linear time.

    A1111 runs ``re.findall`` with the pattern ``\\s*(\\w[\\w \\-/]+):\\s*("(?:\\\\.|[^\\\\"])+"|[^,]*)(?:,|$)``,
    which retries at every position: on a long run of key characters with no colon after it, that is
    quadratic (a 32 kB line takes 12 s), and a file's metadata is hostile input. The keys it finds are
    exactly these: the leftmost word character, at or after where the previous pair ended, that starts
    two or more key characters running up to a colon. So only the runs ending at a colon are visited.
    """
    pairs = []
    position = 0
    for run in _KEY_RUN_BEFORE_COLON.finditer(line):
        colon = run.end() - 1
        first = _WORD.search(line, max(run.start(), position), colon - 1)
        if first is None:
            continue
        value = _SETTING_VALUE.match(line, colon + 1)
        assert value is not None  # [^,]* matches anywhere
        pairs.append((line[first.start() : colon], value.group(1)))
        position = value.end() + 1  # past the comma
    return pairs


def a1111_fields(text: str) -> dict[str, Any]:
    """The fields of a text from a file of unknown origin: parsed when it is of a sane length."""
    if len(text) > A1111_TEXT_LIMIT:
        return {"unparsed": text}
    return parse_a1111(text)


def format_a1111(
    *,
    prompt: str,
    negative_prompt: str,
    steps: int,
    scheduler: str,
    guidance: float,
    seed: int,
    size: tuple[int, int],
    model_hash: str,
    model: str,
    strength: float,
    version: str,
    loras: Sequence[LoraRecord] = (),
    scheduler_config: Mapping[str, Any] | None = None,
    rng: str = "CPU",
) -> str:
    """The ``parameters`` text AUTOMATIC1111 writes for an img2img result with these settings.

    Fields come in A1111's order and are quoted as A1111 quotes them. Where A1111's own writer would lose a
    value (one that starts and ends with ``"``, has spaces at either end, or is empty) the value is quoted
    as well, which A1111's reader decodes. LoRAs appear as A1111 users write them, ``<lora:NAME:WEIGHT>``
    after the prompt, and by hash in ``Lora hashes``, which sites such as Civitai read to link them.
    ``rng`` is ``CPU`` because our engine seeds a CPU generator, as A1111 does with RNG set to CPU.

    >>> text = format_a1111(prompt="harbor", negative_prompt="", steps=20, scheduler="DDIMScheduler",
    ...     guidance=7.0, seed=5, size=(512, 288), model_hash="0cdb932ad8", model="tiny", strength=0.6,
    ...     version="provenance 0.1.0")
    >>> text.splitlines()[-1].split(", ")[:4]
    ['Steps: 20', 'Sampler: DDIM', 'Schedule type: Automatic', 'CFG scale: 7.0']
    >>> parse_a1111(text)["rng"]
    'CPU'
    """
    config = scheduler_config or {}
    tags = [f"<lora:{a1111_lora_name(lora)}:{_weight(lora.weight)}>" for lora in loras]
    lines = [" ".join(part for part in (prompt, *tags) if part)]
    if negative_prompt:
        lines.append(f"Negative prompt: {negative_prompt}")
    # As in A1111, a later LoRA mentioned under the same name replaces the earlier one's hash.
    lora_hashes = {
        a1111_lora_name(lora).translate(_NOT_IN_LORA_HASH_NAMES): short_hash
        for lora in loras
        if (short_hash := a1111_lora_hash(lora))
    }
    settings: dict[str, object] = {
        "Steps": steps,
        "Sampler": _sampler(scheduler, config),
        "Schedule type": _schedule_type(config),
        "CFG scale": guidance,
        "Seed": seed,
        "Size": f"{size[0]}x{size[1]}",
        "Model hash": model_hash,
        "Model": model,
        "Denoising strength": strength,
        "RNG": rng if rng != "GPU" else None,
        "Lora hashes": ", ".join(f"{name}: {short_hash}" for name, short_hash in lora_hashes.items()) or None,
        "Version": version,
    }
    lines.append(", ".join(f"{key}: {_quoted(value)}" for key, value in settings.items() if value is not None))
    return "\n".join(lines).strip()


def a1111_lora_name(lora: LoraRecord) -> str:
    """The name A1111 puts in ``<lora:NAME:WEIGHT>``: by default the trainer's ``ss_output_name``, else the file name.

    A1111 refers to a LoRA by its "alias from file" unless that alias is ``none``; characters that its tag
    syntax cannot carry are left out, so that A1111, which looks a pasted tag up by its hash in ``Lora
    hashes``, still finds the LoRA.

    >>> a1111_lora_name(LoraRecord(name="ink_v2", sha256="0" * 64, short_hash="0" * 10, weight=1.0,
    ...     metadata={"ss_output_name": "ink: wash"}))
    'ink wash'
    """
    alias = lora.metadata.get("ss_output_name") or lora.name
    if alias.lower() == "none":
        alias = lora.name
    return alias.translate(_NOT_IN_LORA_TAGS) or lora.name.translate(_NOT_IN_LORA_TAGS) or lora.sha256[:12]


def a1111_lora_hash(lora: LoraRecord) -> str | None:
    """The 12 hex digits A1111 writes for a LoRA in ``Lora hashes``, or None when it has none to write.

    That is the ``sshs_model_hash`` its trainer wrote into the header when there is one, else the
    :func:`~provenance.engine.lora.addnet_hash` of the file; never the file's plain sha256.
    """
    claimed = lora.metadata.get("sshs_model_hash", "")
    if _HEX_HASH.fullmatch(claimed):
        return claimed[:12]
    return lora.addnet_hash[:12] if lora.addnet_hash else None


def _sampler(scheduler: str, config: Mapping[str, Any]) -> str:
    if scheduler == "DPMSolverMultistepScheduler" and config.get("algorithm_type") == "sde-dpmsolver++":
        return "DPM++ 2M SDE"
    return A1111_SAMPLERS.get(scheduler, scheduler)


def _schedule_type(config: Mapping[str, Any]) -> str:
    return next((label for key, label in _SCHEDULE_TYPES.items() if config.get(key) is True), "Automatic")


def _weight(weight: float) -> str:
    # The shortest text that reads back as the same float; A1111 reads it with float().
    return repr(float(weight)).removesuffix(".0")


def _quoted(value: object) -> str:
    text = str(value)
    a1111_quotes = any(character in text for character in ",:\n")
    would_be_lost = not text or text != text.strip() or (text[0] == '"' and text[-1] == '"')
    return json.dumps(text, ensure_ascii=False) if a1111_quotes or would_be_lost else text


# ---- ComfyUI and InvokeAI ------------------------------------------------------------------------------
