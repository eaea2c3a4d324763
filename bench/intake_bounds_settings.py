"""Settings for `bench/intake.py --bounds`: Corrigo's own, plus the bounds endpoints.

Not part of the product. See bench/intake_bounds_urls.py for what the endpoints do.
"""

from corrigo.settings import *  # noqa: F403

ROOT_URLCONF = "intake_bounds_urls"
