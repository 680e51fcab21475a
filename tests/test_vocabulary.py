from __future__ import annotations

import pytest

from provenance.errors import InvalidValueError
from provenance.vocabulary import ROLES, STAGE_KINDS, role, stage_kind


def test_roles_have_both_labels_and_ai_is_never_a_role() -> None:
    assert role("bg_retouch").label_ja == "背景加筆・修正"
    assert all(r.label_en and r.label_ja for r in ROLES.values())
    assert not any("AI (" in r.label_en for r in ROLES.values())
    with pytest.raises(InvalidValueError, match="use one of BG_AD"):
        role("AI")


def test_stage_kinds() -> None:
    assert [k for k, v in STAGE_KINDS.items() if v.ai] == ["ai_generate", "ai_external"]
    assert stage_kind("select").default_role == "BG_AD"
    with pytest.raises(InvalidValueError):
        stage_kind("dream")
