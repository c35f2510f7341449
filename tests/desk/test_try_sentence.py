"""The desk's "try a sentence" page: editors see what the engine reads; nobody else may."""
import pytest

pytestmark = pytest.mark.django_db


def read(client, **params):
    return client.get("/desk/try/", params)


def test_an_editor_sees_each_fact_and_the_claim_reading(client, editor):
    client.force_login(editor)
    page = read(client, text="The company will invest US$1.2 billion in a 200 MW solar farm.", date="2025-03-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1.2 billion USD" in html and "«US$1.2 billion»" in html
    assert "power capacity" in html and "200 MW" in html
    assert "several metrics: investment, power" in html  # as a claim it names two metrics


def test_one_figure_is_the_claim_and_relative_dates_read_against_the_date_given(client, editor):
    client.force_login(editor)
    html = read(client, text="to be put into production by June", date="2025-07-01").content.decode()
    assert "operating · due 2026-06-30" in html and "2025-07-01" in html


def test_the_page_speaks_chinese(client, editor):
    client.force_login(editor)
    html = client.get("/desk/try/", {"text": "一期建设200兆瓦光伏电站"}, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "试读句子" in html and "装机容量（兆瓦）" in html


def test_nothing_read_says_so(client, editor):
    client.force_login(editor)
    html = read(client, text="The park welcomes investors.").content.decode()
    assert "The engine reads no figure or status in this text." in html


@pytest.mark.parametrize("params", [{"text": "x" * 5001}, {"text": "2,500 jobs", "date": "2025-13-40"}])
def test_bad_input_shows_the_form_again_with_its_error(client, editor, params):
    client.force_login(editor)
    page = read(client, **params)
    assert page.status_code == 200
    assert page.context["reading"] is None and page.context["form"].errors


def test_reporters_are_refused_and_strangers_sent_to_log_in(client, reporter):
    assert read(client, text="2,500 jobs").status_code == 302
    client.force_login(reporter)
    assert read(client, text="2,500 jobs").status_code == 403
