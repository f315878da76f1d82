from __future__ import annotations


def test_healthz_reports_database_broker_and_worker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
    assert body["worker"] == "not seen yet" or body["worker"].startswith("last seen ")


def test_outsider_admin_gets_404_on_another_agencys_members_page(world, client_for):
    response = client_for(world.outsider.admin).get(f"/agencies/{world.owner.agency.code}/members/")
    assert response.status_code == 404
