from __future__ import annotations

from tests.xdist_worker import worker_redis_url


def test_a_workers_redis_database_is_moved_up_by_its_number():
    assert worker_redis_url("redis://127.0.0.1:6379/4", 0) == "redis://127.0.0.1:6379/4"
    assert worker_redis_url("redis://127.0.0.1:6379/4", 3) == "redis://127.0.0.1:6379/7"


def test_a_workers_redis_database_wraps_at_sixteen():
    assert worker_redis_url("redis://:pw@redis:6379/15", 2) == "redis://:pw@redis:6379/1"
