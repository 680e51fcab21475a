"""Config skeletons that let ``from_single_file`` build SD 1.5 and SDXL pipelines with no model hub.

The json files ship in ``configs/`` (see its README for where the values come from). The tokenizers'
vocabulary is derived from OpenAI CLIP's byte-pair merges, shipped compressed, the way CLIP's own
tokenizer builds it: the 256 byte symbols, the same with the end-of-word mark, one token per merge, then
the start and end tokens (49,408 in all). The assembled folder is written once into the user cache.

>>> skeleton_folder("sdxl").joinpath("tokenizer_2", "vocab.json").is_file()  # doctest: +SKIP
True
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from .cache import built_once, cache_folder

CONFIGS = Path(__file__).parent / "configs"
# Skeleton name (what --config accepts) -> architecture it builds.
SKELETONS = {"sd15": "sd", "sdxl": "sdxl"}
# Bump when a shipped json changes, so an old assembled copy in the cache is not used.
_SKELETON_VERSION = "v1"
_CLIP_MERGES = 49152 - 256 - 2


def skeleton_folder(name: str) -> Path:
    """The assembled config folder for skeleton ``name`` (``sd15`` or ``sdxl``), built on first use."""
    folder = cache_folder() / "configs" / f"{name}-{_SKELETON_VERSION}"
    return built_once(folder, lambda staging: _assemble(name, staging))


def _assemble(name: str, staging: Path) -> None:
    shutil.copytree(CONFIGS / name, staging, dirs_exist_ok=True)
    vocabulary, merges = clip_vocabulary()
    for tokenizer in staging.glob("tokenizer*"):
        (tokenizer / "vocab.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        (tokenizer / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")


def clip_vocabulary() -> tuple[dict[str, int], list[str]]:
    """CLIP's token ids and merge list, as ``vocab.json`` and ``merges.txt`` hold them."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    with gzip.open(CONFIGS / "clip-bpe-simple-vocab-16e6.txt.gz", "rt", encoding="utf-8") as handle:
        merges = handle.read().split("\n")[1 : _CLIP_MERGES + 1]
    symbols = list(bytes_to_unicode().values())
    tokens = [*symbols, *(symbol + "</w>" for symbol in symbols), *(merge.replace(" ", "") for merge in merges)]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    return {token: index for index, token in enumerate(tokens)}, merges
