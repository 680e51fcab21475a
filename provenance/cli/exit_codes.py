"""Every exit code the command line uses, in one table: a contract with delivery scripts.

The library raises errors and returns verdicts; only here do they become numbers. The ``--help`` texts
that list exit codes are generated from these tables, so the documentation cannot drift from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import (
    CreditGapsError,
    CreditsChangedError,
    GenerationCancelled,
    LockTamperedError,
    ProvenanceError,
)

if TYPE_CHECKING:
    from ..audit import AuditReport

OK = 0
# Any ProvenanceError not listed below: bad input, unknown names, unreadable files, refusals.
ERROR = 1
USAGE = 2  # click's own, for a mistyped command line
INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug; please report it
INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
SIGPIPE = 141  # the reader of our output went away, as `| head` does

ERROR_CODES: dict[type[ProvenanceError], int] = {
    CreditGapsError: 3,
    LockTamperedError: 4,
    CreditsChangedError: 5,
    GenerationCancelled: INTERRUPTED,
}

VERDICT_CODES: dict[str, int] = {
    "trusted": 0,
    "valid-untrusted": 3,
    "tampered": 4,
    "unknown": 5,
    "records-differ": 6,
    "matched-without-manifest": 7,
    "foreign-ai-metadata": 8,
    "unverifiable": 10,
}
# Only with --strict: a trusted verdict that carries notes (unmeasured stages, a test model).
NOTES = 9

CHECK_CODES: dict[str, int] = {"clean": 0, "records-differ": 6, "leftovers": 11}
REPLAY_CODES: dict[str, int] = {"identical": 0, "within-tolerance": 0, "differs": 3, "weights-changed": 4}


def error_code(error: ProvenanceError) -> int:
    """The exit code of a library error: its class's, or its nearest listed ancestor's, else 1."""
    for cls in type(error).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    return ERROR


def audit_code(report: AuditReport, *, strict: bool = False) -> int:
    """The exit code of an audit: the verdict's, or :data:`NOTES` for a trusted verdict with notes under
    ``strict``."""
    if strict and report.verdict == "trusted" and report.notes:
        return NOTES
    return VERDICT_CODES[report.verdict]


def verdict_epilog() -> str:
    """The "Verdicts and exit codes" block of ``audit --help``."""
    from ..audit.verdict import VERDICTS  # the promises live with the audit; only the numbers live here

    lines = [f"  {VERDICT_CODES[name]:>2}  {name}: {promise}" for name, promise in VERDICTS.items()]
    lines.append(f"  {NOTES:>2}  with --strict: trusted, but with notes (unmeasured stages, a test model)")
    lines.append(f"  {ERROR:>2}  the file or the project could not be read")
    return "\b\nVerdicts and exit codes:\n" + "\n".join(lines)
