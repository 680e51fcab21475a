"""C2PA manifests: pure definitions per stage kind, and signing/reading at the edge."""

from .definition import manifest_definition, source_type
from .signing import ManifestStore, new_manifest_label, read_manifest_store, sign_png

__all__ = [
    "ManifestStore",
    "manifest_definition",
    "new_manifest_label",
    "read_manifest_store",
    "sign_png",
    "source_type",
]
