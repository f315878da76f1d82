"""A JSON body that is not an object (null, true, 1, "x", a list) answers 400 and changes
nothing, on every write endpoint of notices."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from notices.models import Notice

BAD_BODIES = ["null", "true", "1", '"x"', "[]", '[{"reasons": "x"}]']

# (method, path, state of the notice, by the reviewer?): a request its sender may make.
WRITES = [
    ("post", "", None, False),
    ("patch", "{pk}/", "draft", False),
    ("post", "{pk}/submit/", "draft", False),
    ("post", "{pk}/cancel/", "draft", False),
    ("post", "{pk}/renew/", "published", False),
    ("post", "{pk}/review/", "submitted", True),
    ("post", "{pk}/withdraw/", "published", True),
]


@pytest.mark.parametrize("method,path,state,by_reviewer", WRITES)
@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_write_with_a_non_object_body_is_400_and_changes_nothing(
    world, make_notice, api_client_for, method, path, state, by_reviewer, body
):
    notice = make_notice(state) if state else None
    if by_reviewer:
        client = api_client_for(world.reviewer, world.secretariat)
    else:
        client = api_client_for(world.owner.investigator, world.owner.agency)
    url = "/api/v1/notices/" + path.format(pk=notice.pk if notice else "")
    events = AuditEvent.objects.count()
    states = list(Notice.objects.values_list("pk", "status"))

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert "non_field_errors" in response.json()
    assert AuditEvent.objects.count() == events
    assert list(Notice.objects.values_list("pk", "status")) == states
