"""Recording the stages of a background: sketch, AI candidates, selection, paint-over.

Each function resolves its references, does the work (decoding the artist's file, or running the engine),
then writes the signed files and the rows of every stage it makes in one transaction: all or nothing.
The signed manifest carries the :class:`~provenance.records.StageRecord` built from those very rows,
which the audit builds again to compare a file with its record.

>>> sketch = record_sketch(project, "harbor/C012", Path("layout.png"), artist="tanaka-aiko")  # doctest: +SKIP
>>> candidates = record_generation(project, str(sketch.asset_id), operator="sato-ken",
...                                prompt="harbor at dusk", candidates=3)  # doctest: +SKIP
"""

from .external import record_external_stage
from .files import record_revision, record_sketch
from .generate import MAX_SEED, record_generation
from .select import RecordedSelection, record_selection
from .writing import RecordedFile

__all__ = [
    "MAX_SEED",
    "RecordedFile",
    "RecordedSelection",
    "record_external_stage",
    "record_generation",
    "record_revision",
    "record_selection",
    "record_sketch",
]
