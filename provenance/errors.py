"""The one exception tree of the library.

Every error the library raises on purpose is a :class:`ProvenanceError`. Its message is a single line that
says what is wrong and what to do about it; the command line prints exactly that line and exits with
``exit_code``. Anything else that escapes is a bug and shows a traceback under ``--debug``.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Root of every error this package raises for a user to act on."""

    exit_code = 1


class ProjectError(ProvenanceError):
    """No project here, a project already here, or a project folder that is damaged."""


class NotFoundError(ProvenanceError):
    """An unknown person, production, background, asset or model."""


class AlreadyExistsError(ProvenanceError):
    """A handle or cut that is already taken."""


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


class GenerationCancelled(ProvenanceError):
    """The user interrupted a generation; nothing was recorded."""

    exit_code = 130
