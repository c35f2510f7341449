"""The pages speak Simplified Chinese, and the committed catalogue is compiled."""
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), m.group(1)), line.strip()[1:-1])


def _po_entries(text: str) -> dict[str, str]:
    """msgid -> msgstr (singular form) of a .po file; the header and comments left out."""
    entries, msgid, msgstr, field = {}, None, None, None
    for line in [*text.splitlines(), ""]:
        keyword = line.split(" ", 1)[0]
        if keyword in ("msgid", "msgid_plural", "msgstr", "msgstr[0]") or keyword.startswith("msgstr["):
            field = keyword
            if keyword == "msgid":
                msgid = _unquote(line.split(" ", 1)[1])
            elif keyword in ("msgstr", "msgstr[0]"):
                msgstr = _unquote(line.split(" ", 1)[1])
        elif line.startswith('"'):
            if field == "msgid":
                msgid += _unquote(line)
            elif field in ("msgstr", "msgstr[0]"):
                msgstr += _unquote(line)
        elif not line.strip():
            if msgid:
                entries[msgid] = msgstr
            msgid, msgstr, field = None, None, None
    return entries


def test_every_string_is_translated_and_the_mo_is_up_to_date():
    entries = _po_entries((LC_MESSAGES / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 100
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []
    with open(LC_MESSAGES / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = {msgid: msgstr for msgid, msgstr in entries.items() if catalogue.gettext(msgid) != msgstr}
    assert stale == {}, "run: manage.py compilemessages -l zh_Hans --ignore=.venv"


def test_browser_language_picks_chinese(client, editor):
    from tests.desk.conftest import make_discrepancy

    make_discrepancy(explanation="english explanation")
    client.force_login(editor)
    page = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "待审队列" in page and "严重程度" in page and "高" in page
    assert "声称2500人" in page  # the engine's Chinese explanation
    english = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Queue" in english and "待审队列" not in english


def test_language_switch_sticks(client, editor):
    client.force_login(editor)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/desk/"})
    assert response.status_code == 302
    assert "审核台" in client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_admin_speaks_chinese(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "站点管理" in page
