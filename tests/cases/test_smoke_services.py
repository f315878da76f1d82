from __future__ import annotations

from cases import selectors


def test_partner_sees_case_former_and_outsider_do_not(case_world):
    cw = case_world
    assert cw.case.reference.startswith("DE-BKA-")
    for side, expected in (
        (cw.owner, True),
        (cw.partner, True),
        (cw.former, False),
        (cw.outsider, False),
    ):
        visible = selectors.cases_visible_to(user=side.investigator).filter(pk=cw.case.pk).exists()
        assert visible is expected, side.agency.code
        assert (
            selectors.evidence_visible_to(user=side.investigator).filter(pk=cw.evidence.pk).exists()
            is expected
        )
