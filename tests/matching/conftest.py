import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on-commit work (tasks are eager in tests), as a worker would after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


SICHUAN_CLAIM = "The battery plant is to be put into production by June 2025."
SICHUAN_NOTES = "Broken windows on the cell workshop, no sign of work. The gate was chained."


@pytest.fixture
def battery_plant(editor_client, committed):
    """A Sichuan-like example: a battery plant due to be in production by June 2025 (claim read from its text)."""
    from tests.factories import SiteFactory

    site = SiteFactory(name="Yibin Xinneng Battery Plant", aliases=["宜宾新能电池工厂"], latitude=28.77,
                       longitude=104.63, timezone="Asia/Shanghai")
    with committed():
        response = editor_client.post("/api/v1/claims/", {
            "site": site.pk, "text": SICHUAN_CLAIM, "source_name": "Sichuan Economic and Information Department",
            "source_kind": "government", "published_on": "2024-08-20"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["status_value"], response.json()["due_date"]) == ("operating", "2025-06-30")
    return site


def sichuan_visit(site, **overrides):
    """The reporter's September 2025 visit: marked idle, activity 0, broken windows, no sign of work."""
    import uuid

    return {"id": str(uuid.uuid4()), "site": site.pk, "started_at": "2025-09-16T10:30:00+08:00",
            "notes": SICHUAN_NOTES, "observed_status": "idle", "activity_level": 0,
            "activity_signs": ["broken windows", "no sign of work"], **overrides}
