"""Silencing the ML libraries' chatter while the engine loads a model (optional-package advice, shard bars).

Whatever the libraries' logging was set to before is put back afterwards: a program that uses this
package keeps the verbosity it chose.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Keep diffusers' and transformers' advice about optional packages off the terminal, for this block only."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging

        before = (
            diffusers_logging.get_verbosity(),
            transformers_logging.get_verbosity(),
            diffusers_logging.is_progress_bar_enabled(),
            transformers_logging.is_progress_bar_enabled(),
            logging.getLogger("diffusers").level,
        )
        diffusers_logging.set_verbosity_error()
        diffusers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        logging.getLogger("diffusers").setLevel(logging.ERROR)
        try:
            yield
        finally:
            diffusers_logging.set_verbosity(before[0])
            transformers_logging.set_verbosity(before[1])
            for enabled, library in ((before[2], diffusers_logging), (before[3], transformers_logging)):
                (library.enable_progress_bar if enabled else library.disable_progress_bar)()
            logging.getLogger("diffusers").setLevel(before[4])
