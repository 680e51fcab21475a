"""How AUTOMATIC1111 (v1.10) writes and reads its ``parameters`` text, re-implemented small for the tests.

Written from reading A1111's source, so that our text is checked against A1111's behaviour rather than
against our own reading of it: ``modules/infotext_utils.py`` (``re_param_code``, ``quote``, ``unquote``,
``parse_generation_parameters``), ``modules/processing.py`` (``create_infotext``),
``modules/extra_networks.py`` (``re_extra_net``, ``parse_prompt``, ``ExtraNetworkParams``),
``modules/hashes.py`` (``addnet_hash_safetensors``) and the built-in Lora extension (``network.py``:
which hash, how many digits, which name; ``extra_networks_lora.py``: writing ``Lora hashes``;
``lora_script.py``: reading it back when a text is pasted). Only what an img2img text of ours uses is
here; the defaults A1111 fills in for absent keys are left out, except RNG's.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
IMAGE_SIZE = re.compile(r"^(\d+)x(\d+)$")
EXTRA_NETWORK = re.compile(r"<(\w+):([^>]+)>")
LORA_TAG_NAME = re.compile("<lora:([^:]+):")


def quote(value: Any) -> Any:
    """A value as the settings line holds it: JSON only when it has a comma, colon or line break."""
    if "," not in str(value) and "\n" not in str(value) and ":" not in str(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def unquote(text: str) -> str:
    if not text or text[0] != '"' or text[-1] != '"':
        return text
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except ValueError:
        return text


def create_infotext(prompt: str, negative_prompt: str, settings: dict[str, Any]) -> str:
    """The text, from the prompt as typed and the settings in the order create_infotext lists them."""
    line = ", ".join(
        key if key == value else f"{key}: {quote(value)}" for key, value in settings.items() if value is not None
    )
    negative = f"\nNegative prompt: {negative_prompt}" if negative_prompt else ""
    return f"{prompt}{negative}\n{line}".strip()


def parse_generation_parameters(text: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    prompt = negative_prompt = ""
    in_negative = False
    *lines, last = text.strip().split("\n")
    if len(PARAM.findall(last)) < 3:
        lines.append(last)
        last = ""
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[16:].strip()
        if in_negative:
            negative_prompt += ("" if negative_prompt == "" else "\n") + line
        else:
            prompt += ("" if prompt == "" else "\n") + line
    for key, value in PARAM.findall(last):
        if not value:
            continue  # A1111 fails on value[0], prints the error and goes on
        if value[0] == '"' and value[-1] == '"':
            value = unquote(value)
        size = IMAGE_SIZE.match(value)
        if size is not None:
            result[f"{key}-1"], result[f"{key}-2"] = size.group(1), size.group(2)
        else:
            result[key] = value
    result["Prompt"], result["Negative prompt"] = prompt, negative_prompt
    result.setdefault("RNG", "GPU")  # no RNG means the default, the GPU
    return result


@dataclass(frozen=True)
class ExtraNetworkTag:
    kind: str
    positional: list[str]
    named: dict[str, str]


def extra_network_tags(prompt: str) -> list[ExtraNetworkTag]:
    """The ``<kind:arg:arg>`` tags A1111 finds in a prompt; for a LoRA, positional[0] is its name."""
    tags = []
    for match in EXTRA_NETWORK.finditer(prompt):
        positional, named = [], {}
        for item in match.group(2).split(":"):
            parts = item.split("=", 2)
            if len(parts) == 2:
                named[parts[0]] = parts[1]
            else:
                positional.append(item)
        tags.append(ExtraNetworkTag(match.group(1), positional, named))
    return tags


def lora_hashes(value: str) -> dict[str, str]:
    """``Lora hashes`` read back as lora_script.py does when a text is pasted: name -> short hash."""
    entries = [entry.strip().split(":", 1) for entry in value.split(",")]
    return {entry[0].strip().replace(",", ""): entry[1].strip() for entry in entries}


@dataclass(frozen=True)
class LoraOnDisk:
    """What A1111's Lora extension knows of a LoRA file: its names and its short hash."""

    name: str  # the file name without extension
    alias: str  # ss_output_name from the header, else the name
    shorthash: str

    @classmethod
    def read(cls, path: Path) -> LoraOnDisk:
        data = path.read_bytes()
        (header_length,) = struct.unpack_from("<Q", data)
        metadata = json.loads(data[8 : 8 + header_length]).get("__metadata__", {})
        # kohya's "addnet" hash: the sha256 of everything after the header; a hash in the header wins.
        full_hash = metadata.get("sshs_model_hash") or hashlib.sha256(data[8 + header_length :]).hexdigest()
        return cls(name=path.stem, alias=metadata.get("ss_output_name", path.stem), shorthash=full_hash[:12])


def resolve_lora(tag_name: str, hashes: dict[str, str], available: list[LoraOnDisk]) -> LoraOnDisk | None:
    """The LoRA A1111 applies for a pasted tag: found by the tag's hash in ``Lora hashes``, else by name."""
    by_hash = {lora.shorthash: lora for lora in available}
    found = by_hash.get(hashes.get(tag_name, ""))
    if found is not None:
        return found
    by_name = {name: lora for lora in available for name in (lora.name, lora.alias)}
    return by_name.get(tag_name)
