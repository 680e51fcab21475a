"""Which files the viewer may read: recorded assets inside the project, never its keys or anything outside.

A stored path comes from the database, and a database can be edited by hand: ``../../etc/passwd`` or a
link that leads out of the project must not be served. Paths are resolved (links followed) and must end
inside the project folder and outside ``.provenance/``, where the keys and the database live.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NotFoundError
from ..project import MARKER, Project


def recorded_file(project: Project, stored: str) -> Path:
    """The file a recorded path names, refused when it leads outside the served files.

    >>> recorded_file(project, "../../etc/passwd")  # doctest: +SKIP
    Traceback (most recent call last):
    provenance.errors.NotFoundError: the recorded path '../../etc/passwd' is outside the project's files; ...
    """
    root = project.root.resolve()
    path = (root / stored).resolve()
    if not path.is_relative_to(root) or path.is_relative_to(root / MARKER):
        raise NotFoundError(f"the recorded path {stored!r} is outside the project's files; it is not served")
    return path
