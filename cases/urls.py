from __future__ import annotations

urlpatterns: list = []
api_urlpatterns: list = []
