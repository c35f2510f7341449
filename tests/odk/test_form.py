"""The generated XForm: ODK Validate (the jar pyxform ships, on Debian's Java) or pyxform's own checks."""
import shutil
import warnings

import pytest
from django.core.management import call_command

from surveys.odk import form as odk_form
from surveys.selectors.odk import current_form, form_choices
from surveys.vocab import ActivitySign, Method, Metric, Qualifier, Status

pytestmark = pytest.mark.django_db


def test_the_xform_passes_odk_validate(tmp_path, site):
    xform = current_form().xml
    path = tmp_path / "site_visit.xml"
    path.write_bytes(xform)
    if shutil.which("java"):
        from pyxform.validators.odk_validate import check_xform

        check_xform(str(path))  # raises ODKValidateError on any error
    else:  # `make test` installs Debian's Java; without it, pyxform's own validation is what ran
        warnings.warn("Java is missing: the XForm was checked by pyxform only, not by ODK Validate", stacklevel=1)
        from pyxform.xls2xform import convert

        convert(xlsform=odk_form.workbook(form_choices(), "check"), file_type=".md")


def test_choice_lists_are_the_vocabulary_in_english_and_chinese(site):
    choices = form_choices()
    by_list = {}
    for choice in choices:
        by_list.setdefault(choice.list_name, []).append(choice.value)
    assert by_list["metric"] == [m.value for m in Metric]
    assert by_list["status"] == [s.value for s in Status]
    assert by_list["qualifier"] == [q.value for q in Qualifier]
    assert by_list["activity_sign"] == [a.value for a in ActivitySign]
    assert by_list["method"] == [m.value for m in Method if m != Method.REPORTER]
    labels = {(c.list_name, c.value): c.labels for c in choices}
    assert labels[("status", "operating")] == ("operating", "运营中")
    assert labels[("metric", "headcount")] == ("headcount", "用工人数")  # from surveys/engine/metrics.py
    assert labels[("activity_sign", "weeds")] == ("weeds", "杂草丛生")
    xform = current_form().xml.decode()
    assert 'lang="中文 (zh)"' in xform and "<value>运营中</value>" in xform


def test_the_version_changes_with_the_form_or_its_media(site):
    choices = form_choices()
    assert odk_form.form_version(choices, "a" * 32) != odk_form.form_version(choices, "b" * 32)
    assert odk_form.form_version(choices[:-1], "a" * 32) != odk_form.form_version(choices, "a" * 32)
    form = current_form()
    assert f'version="{form.version}"'.encode() in form.xml


def test_the_command_prints_the_reviewable_workbook(site, capsys):
    call_command("odk_form")
    printed = capsys.readouterr().out
    assert "| survey |" in printed and "| choices |" in printed and "| settings |" in printed
    call_command("odk_form", "--media")
    assert site.name in capsys.readouterr().out
