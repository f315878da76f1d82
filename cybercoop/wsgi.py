from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercoop.settings")
application = get_wsgi_application()
# Import the URLconf, and with it every view, serializer and service module, now rather than
# in a worker's first request: that request used to pay 1.5–3.5 s for it (a 100k-object STIX
# import measured with py-spy, bench/README.md).
get_resolver().url_patterns  # noqa: B018
# Everything loaded so far (Django, the apps, the URL resolver) lives as long as the process:
# keep it out of the garbage collector's generations, so a full collection walks only what
# requests allocate. Without this, every ~12th large request (a 1,000-value lookup) paid an
# 80 ms collection over the whole heap (bench/README.md, correlation lookup).
gc.freeze()
