"""provenance: credits and provenance for AI-assisted background art.

Record who made each stage of a background (sketch, AI candidates, selection, paint-over), sign every
file with a C2PA manifest, audit any file back to its people, and export credit sheets that name them.
"""

__version__ = "0.1.0"
