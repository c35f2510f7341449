from surveys.engine import link_proposals, name_keys, same_entity


def test_chinese_name_matches_its_pinyin():
    assert name_keys("恒达光伏玻璃有限公司") & name_keys("Hengda Guangfu Boli")
    assert same_entity(["恒达光伏玻璃有限公司"], ["Hengda Guangfu Boli"])


def test_legal_suffixes_and_punctuation_are_ignored():
    assert same_entity(["Hengda PV Glass Co., Ltd."], ["Hengda PV Glass"])
    assert same_entity(["恒达集团有限公司"], ["恒达"])
    assert same_entity(["HENGDA  pv-glass"], ["Hengda PV Glass Limited"])


def test_different_names_are_not_the_same_entity():
    assert not same_entity(["Hengda PV Glass"], ["Xinyi Solar"])
    assert not same_entity(["Hengda PV Glass, Phase 1"], ["Hengda PV Glass, Phase 2"])


def test_misspelt_name_gets_a_scored_proposal():
    proposals = link_proposals([("s1", ["Hengda PV Glas Phase 1"])],
                               [("t1", ["Hengda PV Glass, Phase 1"]), ("t2", ["Xinyi Solar Park"])])
    assert [(p.source_id, p.target_id) for p in proposals] == [("s1", "t1")]
    assert 85 <= proposals[0].score < 100
    assert proposals[0].target_name == "Hengda PV Glass, Phase 1"


def test_names_numbered_apart_get_no_proposal():
    targets = [("t1", ["Hengda PV Glass, Phase 1", "恒达光伏玻璃一期"]), ("t2", ["Hengda PV Glass, Phase 2", "恒达光伏玻璃二期"])]
    assert [p.target_id for p in link_proposals([("s1", ["Hengda PV Glas Phase 1"])], targets)] == ["t1"]
    assert [p.target_id for p in link_proposals([("s1", ["恒达光伏玻璃二期项目"])], targets)] == ["t2"]


def test_unrelated_names_get_no_proposal():
    assert link_proposals([("s1", ["Hengda PV Glass"])], [("t1", ["Longji Silicon Wafer"])]) == []


def test_pairs_already_the_same_entity_are_not_proposed():
    assert link_proposals([("s1", ["Hengda PV Glass Co., Ltd."])], [("t1", ["Hengda PV Glass"])]) == []


def test_threshold_is_respected():
    pair = ([("s1", ["Hengda Glass Works"])], [("t1", ["Hengda Glass Plant"])])
    assert link_proposals(*pair, threshold=99) == []
    assert link_proposals(*pair, threshold=50)
