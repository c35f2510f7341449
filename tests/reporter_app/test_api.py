"""What the reporter app needs from the API beyond the contract's fields."""
from tests.conftest import client_for
from tests.factories import SiteFactory


def test_sites_carry_the_pinyin_of_their_chinese_names_for_offline_search(reporter):
    SiteFactory(name="恒达光伏玻璃一期", aliases=["Hengda PV Glass, Phase 1", "恒达一期"])
    SiteFactory(name="Riverside Battery Plant")
    rows = client_for(reporter).get("/api/v1/sites/?updated_since=1970-01-01T00:00:00Z").json()["results"]
    by_name = {row["name"]: row for row in rows}
    assert by_name["恒达光伏玻璃一期"]["pinyin"] == ["heng da guang fu bo li yi qi", "heng da yi qi"]
    assert by_name["Riverside Battery Plant"]["pinyin"] == []


def test_pinyin_is_read_only(editor):
    client = client_for(editor)
    response = client.post("/api/v1/sites/", {"name": "江畔电池厂", "kind": "factory", "pinyin": ["nonsense"]},
                           format="json")
    assert response.status_code == 201
    assert response.json()["pinyin"] == ["jiang pan dian chi chang"]
