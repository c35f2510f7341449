"""`manage.py extract` prints what the engine reads, as text or JSON."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> str:
    out = StringIO()
    call_command("extract", *args, stdout=out)
    return out.getvalue()


def test_text_output_lists_each_fact_and_the_claim():
    out = run("门卫说园区里实际只有几十家企业", "--date", "2025-10-14")
    assert "Read against 2025-10-14:" in out
    assert "enterprises: a few dozen (24-99) companies · vague · «几十家企业» · interview (security guard)" in out
    assert "As a claim: enterprises: a few dozen (24-99) companies" in out


def test_json_output_has_the_contract_values_and_the_claim_problem():
    reading = json.loads(run("will employ 2,500 people, with annual output of 1.2 million tons", "--date",
                             "2025-03-10", "--json"))
    assert [(f["metric"], f["low"], f["unit"], f["is_target"]) for f in reading["facts"]] == [
        ("headcount", 2500.0, "person", True), ("output_mass", 1.2e6, "t/yr", True)]
    assert reading["claim"] is None and "several metrics" in reading["claim_problem"]


def test_nothing_read_and_a_bad_date():
    assert "  nothing\nAs a claim: no figure or status" in run("The park was renamed.", "--date", "2025-03-10")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("2,500 jobs", "--date", "10/03/2025")
