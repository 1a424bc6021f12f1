import pytest


@pytest.fixture
def kpi_templates(db):
    """The library of KPI templates (loaded by `manage.py load_kpi_templates` in a real deployment)."""
    from hosen.plan import templates_loader

    templates_loader.load()
