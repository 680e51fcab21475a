"""The studio's window: a read-only web viewer over the same library calls the command line makes.

:func:`create_app` builds the ASGI application that ``provenance serve`` runs with uvicorn: pages for the
productions, each background's process sheet, each file's audit with its heatmap, the credit roll and a
``/verify`` page that audits any dropped image; and a small JSON API whose answers are byte for byte what
``audit --json``, ``credits --format json`` and ``lineage --json`` print. Starlette, Jinja2 templates and
plain CSS; no JavaScript, nothing fetched from elsewhere. Needs the ``web`` extra.

>>> app = create_app(Project.find(Path("studio")))  # doctest: +SKIP
>>> uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP
"""

from .app import DEFAULT_MAX_UPLOAD_BYTES, create_app

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "create_app"]
