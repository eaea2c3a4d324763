"""Corrections fixtures: a fixed-with-a-notice case, made through the real services."""

import pytest

from tests.desk.conftest import admin, as_user, case, foreign_case, outsider, viewer


@pytest.fixture
def notice(case, editor):
    from corrigo.corrections import services

    return services.fix_with_notice(case, kind="correction", text="An earlier version said “Augest”; it is August.", by=editor)
