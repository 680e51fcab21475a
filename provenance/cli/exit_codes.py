"""Every exit code the command line uses, in one table: a contract with delivery scripts.

The library raises errors and returns verdicts; only here do they become numbers. The ``--help`` texts
that list exit codes are generated from these tables, so the documentation cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Iterable
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

# A bulk audit (several files, or a folder) exits with the code of its worst file, worst first: what is
# proven wrong (tampered, records that disagree), then what could not be checked (an unreadable file, a
# manifest that cannot be validated here), then what is unproven (AI made elsewhere, nothing known, our
# records without a manifest), then what is proven short of full trust (an untrusted signer, notes).
WORST_FIRST: list[int] = [
    VERDICT_CODES["tampered"],
    VERDICT_CODES["records-differ"],
    ERROR,
    VERDICT_CODES["unverifiable"],
    VERDICT_CODES["foreign-ai-metadata"],
    VERDICT_CODES["unknown"],
    VERDICT_CODES["matched-without-manifest"],
    VERDICT_CODES["valid-untrusted"],
    NOTES,
    OK,
]

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


def worst_code(codes: Iterable[int]) -> int:
    """The exit code of a bulk audit: the worst of its files' codes by :data:`WORST_FIRST` (0 for none).

    >>> worst_code([0, 3, 1, 0])
    1
    """

    def rank(code: int) -> int:
        return WORST_FIRST.index(code if code in WORST_FIRST else ERROR)

    return min(codes, key=rank, default=OK)


def verdict_epilog() -> str:
    """The "Verdicts and exit codes" block of ``audit --help``."""
    from ..audit.verdict import VERDICTS  # the promises live with the audit; only the numbers live here

    lines = [f"  {VERDICT_CODES[name]:>2}  {name}: {promise}" for name, promise in VERDICTS.items()]
    lines.append(f"  {NOTES:>2}  with --strict: trusted, but with notes (unmeasured stages, a test model)")
    lines.append(f"  {ERROR:>2}  the file or the project could not be read")
    names = {code: name for name, code in VERDICT_CODES.items()} | {NOTES: "notes (--strict)", ERROR: "unreadable"}
    worst = [f"{code} {names[code]}" for code in WORST_FIRST]
    bulk = [
        "With several files or a folder, the exit code is the worst file's, worst first:",
        ", ".join(worst[:5]) + ",",
        ", ".join(worst[5:]) + ".",
    ]
    return "\b\nVerdicts and exit codes:\n" + "\n".join(lines) + "\n\n\b\n" + "\n".join(bulk)
