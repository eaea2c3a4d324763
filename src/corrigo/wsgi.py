"""WSGI entry point: Django behind corrigo.serving's whole-body reading (decision 0033)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from corrigo.serving import BufferedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
django_application = get_wsgi_application()
# For any WSGI server: chunked bodies read whole, slow ones cut off. `corrigo serve` adds
# its own limit on application threads (cli._serve).
application = BufferedBodies(django_application, limit=settings.REQUEST_BODY_LIMIT, seconds=settings.BODY_SECONDS)
