"""Settings reach the services and the flows through the one bootstrap."""

from sandan.bootstrap import bootstrap, flow_deps
from sandan.settings import load_settings
from services import outbox


def test_the_bootstrap_sets_the_alert_budget_and_the_hourly_submissions_from_settings(tmp_path):
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", staff_alerts_per_hour=7, max_wishes_per_hour=4
    )
    app = bootstrap(settings)
    assert outbox.BUDGET.per_hour == 7
    assert app.limits.max_wishes_per_hour == 4


def test_by_default_ten_alerts_an_hour_and_ten_wishes_an_hour():
    settings = load_settings()
    assert (settings.staff_alerts_per_hour, settings.max_wishes_per_hour) == (10, 10)


def test_the_configured_retention_reaches_the_scheduler_and_what_privacy_says(tmp_path):
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", outbox_retention_days=45, form_retention_days=3
    )
    app = bootstrap(settings)
    assert (app.retention.outbox_days, app.retention.form_days) == (45, 3)
    assert flow_deps(app).retention == app.retention
