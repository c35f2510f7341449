"""The desk and the admin speak Simplified Chinese: every string translated, one word per action."""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

pytestmark = pytest.mark.django_db
BASE = Path(settings.BASE_DIR)
LC_MESSAGES = BASE / "locale" / "zh_Hans" / "LC_MESSAGES"
GLOSSARY = BASE / "locale" / "zh_Hans" / "GLOSSARY.md"
# The Python files whose strings the desk and the admin show.
DESK_SOURCES = [*sorted((BASE / "surveys" / "web").glob("*.py")), *sorted((BASE / "surveys" / "models").glob("*.py")),
                BASE / "surveys" / "admin.py", BASE / "surveys" / "apps.py", BASE / "surveys" / "services" / "desk.py"]
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
CONTEXT = "\x04"


def _unquote(line: str) -> str:
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), m.group(1)), line.strip()[1:-1])


def _po_entries(text: str) -> dict[str, str]:
    """msgid (with "context\\x04" in front when it has one) -> msgstr (singular form); fuzzy ones as empty."""
    entries, current, field, fuzzy = {}, {}, None, False
    for line in [*text.splitlines(), ""]:
        keyword = line.split(" ", 1)[0]
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr[0]") or keyword.startswith("msgstr["):
            field = keyword
            current[keyword] = _unquote(line.split(" ", 1)[1])
        elif line.startswith('"') and field:
            current[field] = current.get(field, "") + _unquote(line)
        elif not line.strip():
            if current.get("msgid"):
                key = current["msgid"] if "msgctxt" not in current else current["msgctxt"] + CONTEXT + current["msgid"]
                entries[key] = "" if fuzzy else current.get("msgstr", current.get("msgstr[0]", ""))
            current, field, fuzzy = {}, None, False
    return entries


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    return _po_entries((LC_MESSAGES / "django.po").read_text(encoding="utf-8"))


_LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(((?:\s*{_LITERAL}\s*,?)+)")
_PY_GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
               "npgettext", "npgettext_lazy"}


def _template_msgids() -> set[tuple[str, str]]:
    """(template, msgid) for every {% trans %} and {% blocktrans %} of the desk's templates."""
    found = set()
    for path in sorted((BASE / "surveys" / "templates").rglob("*.html")):
        for call in _TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"))):
            literals = [ast.literal_eval(literal.lstrip("u")) for literal in re.findall(_LITERAL, call.group(2))]
            contextual = call.group(1).startswith(("pgettext", "npgettext"))
            found.add((path.name, literals[0] + CONTEXT + literals[1] if contextual else literals[0]))
    return found


def _python_msgids() -> set[tuple[str, str]]:
    found = set()
    for path in DESK_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _PY_GETTEXT and node.args \
                    and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args[:2]):
                contextual = node.func.id.startswith(("pgettext", "npgettext"))
                found.add((path.name, node.args[0].value + CONTEXT + node.args[1].value if contextual
                           else node.args[0].value))
    return found


def test_every_string_is_translated_and_the_mo_is_up_to_date(catalogue):
    assert len(catalogue) > 400
    assert [msgid for msgid, msgstr in catalogue.items() if not msgstr] == []
    with open(LC_MESSAGES / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = {msgid: msgstr for msgid, msgstr in catalogue.items() if mo.gettext(msgid) != msgstr}
    assert stale == {}, "run: manage.py compilemessages -l zh_Hans --ignore=.venv"


def test_every_template_string_has_a_translation(catalogue):
    """A {% trans %} added to a template and left out of the catalogue fails here (run makemessages)."""
    strings = _template_msgids()
    assert len(strings) > 150
    missing = sorted((template, msgid) for template, msgid in strings if not catalogue.get(msgid))
    assert missing == [], "run makemessages, fill the msgstr (locale/zh_Hans/GLOSSARY.md), then compilemessages"


def test_every_python_string_of_the_desk_and_admin_has_a_translation(catalogue):
    strings = _python_msgids()
    assert len(strings) > 150
    missing = sorted((source, msgid) for source, msgid in strings if not catalogue.get(msgid))
    assert missing == [], "run makemessages, fill the msgstr (locale/zh_Hans/GLOSSARY.md), then compilemessages"


def test_models_speak_chinese_in_the_admin():
    """Verbose names, help texts and choice labels of every model, as the admin shows them."""
    english = []
    for model in apps.get_app_config("surveys").get_models():
        texts = [model._meta.verbose_name, model._meta.verbose_name_plural]
        for field in model._meta.get_fields(include_hidden=False):
            if (field.concrete or field.many_to_many) and not field.auto_created:  # Django's own "ID" aside
                texts += [field.verbose_name, field.help_text]
                texts += [label for _value, label in (getattr(field, "choices", None) or [])]
        for text in texts:
            if not text:
                continue
            with translation.override("en"):
                source = str(text)
            with translation.override("zh-hans"):
                if str(text) == source:
                    english.append(f"{model.__name__}: {source}")
    assert english == [], ("give these verbose_name=_(...) / help_text=_(...), run makemessages, fill their "
                           "msgstr (locale/zh_Hans/GLOSSARY.md) and compilemessages")


def _glossary() -> list[tuple[str, list[str], str]]:
    """(action, English forms, Chinese word) from the first table of the glossary."""
    rows = []
    actions = GLOSSARY.read_text(encoding="utf-8").split("## Actions", 1)[1].split("##", 1)[0]
    for line in actions.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("action", "---") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], [form.strip() for form in cells[1].split(",")], cells[2]))
    return rows


def _has_form(msgid: str, forms: list[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", msgid, re.IGNORECASE) for form in forms)


def test_glossary_one_word_per_action(catalogue):
    glossary = _glossary()
    assert {"confirm", "dismiss", "reject", "approve", "follow-up", "undo"} <= {action for action, _, _ in glossary}
    words = [word for _, _, word in glossary]
    assert len(set(words)) == len(words), "two actions share a Chinese word"
    wrong = []
    for msgid, msgstr in catalogue.items():
        msgid = msgid.split(CONTEXT)[-1]
        for action, forms, word in glossary:
            if _has_form(msgid, forms) and word not in msgstr:
                wrong.append(f"{msgid!r} has {action} but not {word}: {msgstr!r}")
            if word in msgstr and not _has_form(msgid, forms):
                wrong.append(f"{msgid!r} is not {action} but says {word}: {msgstr!r}")
    assert wrong == []


def test_dismiss_and_reject_are_two_words():
    with translation.override("zh-hans"):
        assert translation.gettext("Dismiss") == "排除"
        assert translation.gettext("dismissed") == "已排除"
        assert translation.gettext("Reject") == "驳回"
        assert translation.gettext("rejected") == "已驳回"


def test_browser_language_picks_chinese(client, editor):
    from tests.desk.conftest import make_discrepancy

    make_discrepancy(explanation="english explanation")
    client.force_login(editor)
    page = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "差异" in page and "严重程度" in page and "高" in page
    assert "声称2500人" in page  # the engine's Chinese explanation
    english = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Discrepancies" in english and "严重程度" not in english


def test_language_switch_sticks(client, editor):
    client.force_login(editor)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/desk/"})
    assert response.status_code == 302
    assert "审核台" in client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_admin_speaks_chinese(client, admin_user):
    from surveys.services.tokens import token_create
    from tests.desk.conftest import make_discrepancy

    make_discrepancy()
    token_create(user=admin_user, device="phone")
    client.force_login(admin_user)
    assert "站点管理" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    page = client.get("/admin/surveys/discrepancy/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "差异" in page and "严重程度" in page and "负责人" in page and "待审" in page
    page = client.get("/admin/surveys/apitoken/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "吊销所选令牌" in page


def test_units_roles_and_numbers_in_chinese(client, editor, hengda):
    from surveys.models import Observation

    Observation.objects.filter(pk=hengda["observation"].pk).update(source_role="security guard")
    client.force_login(editor)
    url = f"/desk/discrepancies/{hengda['discrepancy'].pk}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "600-700 人" in page and "2,500 人" in page
    assert "门卫" in page and "security guard" not in page
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "600-700 people" in english and "security guard" in english


def test_the_site_page_explains_in_chinese_when_the_page_is_chinese(client, editor, hengda):
    client.force_login(editor)
    url = f"/desk/sites/{hengda['site'].pk}/"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "声称2500人；实地约六七百人。" in chinese and "Claimed 2,500 people" not in chinese
    assert "Claimed 2,500 people" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
