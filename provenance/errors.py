"""The one exception tree of the library.

Every error the library raises on purpose is a :class:`ProvenanceError` whose message is a single line
that says what is wrong and what to do about it. Anything else that escapes is a bug. The command line
turns each class into its exit code (``provenance.cli.exit_codes``, the only place codes live) and
prints the line; ``--debug`` shows the traceback with its cause (errors are raised ``from`` the
exception that caused them).

    ProvenanceError
    ├── ProjectError            no project, a damaged one, an unreadable database or key
    ├── NotFoundError           an unknown person, production, background, asset or model
    ├── AlreadyExistsError      a handle, cut, anchor or output file that is already taken
    ├── InputFileError          a missing, unreadable, corrupt, oversized or unsupported input file
    ├── OutputFileError         a file the user asked for that cannot be written
    ├── InvalidValueError       a value outside what is accepted (a role code, a seed, a name)
    ├── AIEvidenceError         a file offered as a person's work that shows signs of AI
    ├── ModelError              a model or LoRA that cannot be found, loaded or run
    ├── SigningError            a manifest that could not be built or signed
    ├── MissingFontError        no usable font for Japanese text
    ├── CreditGapsError         stages nobody is recorded on, which a credit sheet would hide
    ├── CreditsChangedError     an export that differs from the signed-off sheet (when that must fail)
    ├── LockTamperedError       a stored sign-off whose signature no longer holds
    └── GenerationCancelled     the user interrupted a generation; nothing was recorded

A message may name a parameter of the function that raised it as ``{option:NAME}``; it reads as the
keyword ``NAME`` from Python and as the matching flag (``--name``) on the command line, so the library
never names a flag itself:

>>> str(InvalidValueError("cannot derive a handle from '山田'; give one with {option:handle}"))
"cannot derive a handle from '山田'; give one with `handle`"
"""

from __future__ import annotations

import re
from collections.abc import Callable

_OPTION = re.compile(r"\{option:([a-z_]+)\}")


class ProvenanceError(Exception):
    """Root of every error this package raises for a user to act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.render(lambda name: f"`{name}`")

    def render(self, option: Callable[[str], str]) -> str:
        """The message with each ``{option:NAME}`` written by ``option(NAME)`` (a flag, a keyword)."""
        return _OPTION.sub(lambda match: option(match[1]), self.message)


class ProjectError(ProvenanceError):
    """No project here, a project already here, or a project folder that is damaged."""


class NotFoundError(ProvenanceError):
    """An unknown person, production, background, asset or model."""


class AlreadyExistsError(ProvenanceError):
    """A handle, cut or output that is already taken."""


class InputFileError(ProvenanceError):
    """A missing, unreadable, corrupt or unsupported input file."""


class OutputFileError(ProvenanceError):
    """A file the user asked for cannot be written (no such folder, no permission, disk full)."""


class InvalidValueError(ProvenanceError):
    """A value outside what the command accepts (a role code, a strength, a handle)."""


class AIEvidenceError(ProvenanceError):
    """A file offered as a person's work carries evidence that AI made it."""


class ModelError(ProvenanceError):
    """A model that cannot be found, loaded or run."""


class SigningError(ProvenanceError):
    """A manifest that could not be built or signed."""


class MissingFontError(ProvenanceError):
    """No TrueType font with Japanese glyphs to draw or embed."""


class CreditGapsError(ProvenanceError):
    """Stages with no named person: exporting would hide who did them."""


class CreditsChangedError(ProvenanceError):
    """The export differs from the signed-off sheet, where that must fail."""


class LockTamperedError(ProvenanceError):
    """A stored sign-off whose signature no longer matches its sheet."""


class GenerationCancelled(ProvenanceError):
    """The user interrupted a generation; nothing was recorded."""
