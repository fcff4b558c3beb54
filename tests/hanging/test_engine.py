"""Engine tests on metadata fixtures: every shipped protocol, ties, required rules, missing data."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from tests.hanging.headers import Study
from workstation.errors import HangingProtocolError
from workstation.hanging.engine import HangingResult, match
from workstation.hanging.facts import StudyFacts, study_from_headers
from workstation.hanging.loader import protocol_from_dict, protocol_to_dict
from workstation.hanging.schema import Protocol


def facts(study: Study) -> StudyFacts:
    return study_from_headers(study.headers)


def hang(current: Study, protocols: list[Protocol], *priors: Study) -> HangingResult:
    now = facts(current)
    return match(now.summary, now.display_sets, [(f.summary, f.display_sets) for f in map(facts, priors)], protocols)


def by_label(result: HangingResult, stage: int | None = None) -> dict[str, str]:
    s = result.chosen.stages[result.stage_index if stage is None else stage]
    return {v.viewport.label: v.display_set_label for v in s.viewports}


def ct_head(date: str = "20180301") -> tuple[Study, dict[str, str]]:
    s = Study("CT HEAD WITHOUT CONTRAST", date)
    uids = {"scout": s.localizer(), "brain": s.slices("CT", "Brain 5mm", 24, thickness=5.0),
            "bone": s.slices("CT", "Bone H70 2mm", 60, thickness=2.0), "thin": s.slices("CT", "Thin 0.625", 120, thickness=0.625)}
    return s, uids


def test_ct_head_without_prior_opens_on_brain_and_bone(shipped):
    study, uids = ct_head()
    result = hang(study, shipped)
    assert result.protocol.id == "ct-head"
    assert result.chosen.score == 20
    assert [o.matched for o in result.chosen.reasons] == [True, True]
    comparison = result.chosen.stages[0]
    assert not comparison.enabled and "no prior 1" in comparison.reason
    assert result.stage.name == "Brain and bone"
    brain, bone = result.viewports
    assert brain.display_set_uid.startswith(uids["brain"]) and brain.viewport.preset == "Brain"
    assert bone.display_set_uid.startswith(uids["bone"]) and bone.viewport.preset == "Bone"
    assert brain.viewport.position.value == "middle"
    mpr = result.chosen.stages[2]
    assert mpr.enabled and {v.display_set_uid for v in mpr.viewports} == {uids["thin"] + "#1"}
    assert [v.viewport.plane for v in mpr.viewports] == ["axial", "coronal", "sagittal"]
    # The localizer never fills a viewport.
    assert all(not v.display_set_uid.startswith(uids["scout"]) for s in result.chosen.stages for v in s.viewports)
    # The reasons say which rules matched, with weights.
    matched = {o.rule.describe(): o.points for o in brain.reasons if o.matched}
    assert matched["SliceThickness in [2.5, 6.0]"] == 4 and matched["Orientation equals axial"] == 5


def test_ct_head_with_prior_opens_on_comparison_with_interval(shipped):
    study, _ = ct_head("20180301")
    prior, prior_uids = ct_head("20150101")
    result = hang(study, shipped, prior)
    assert result.stage_index == 0 and result.stage.enabled
    prior_brain = result.viewports[2]
    assert prior_brain.study_index == 1 and prior_brain.display_set_uid.startswith(prior_uids["brain"])
    assert prior_brain.study_label == "prior 2015-01-01, 3 y 2 m earlier"
    assert result.viewports[0].study_label == "current 2018-03-01"
    assert result.enabled_stages == (0, 1, 2)
    assert result.next_stage() == 1 and result.next_stage(-1) == 2
    assert {g.id for g in result.stage.sync_groups} == {"brain", "bone", "zoom"}
    assert set(result.viewports[0].viewport.sync_groups) == set(prior_brain.viewport.sync_groups)


def test_ct_head_prior_without_matching_series_leaves_viewport_empty(shipped):
    study, _ = ct_head()
    prior = Study("CT HEAD", "20170101")
    prior.localizer()  # only a scout: nothing to compare
    result = hang(study, shipped, prior)
    assert result.stage.name == "Brain and bone"
    empty = result.chosen.stages[0].viewports[2]
    assert not empty.filled and "no display set matches 'prior-brain'" in empty.empty_reason


def test_ct_chest_lung_mediastinum_and_coronal_mpr(shipped):
    s = Study("CT CHEST WITH CONTRAST")
    s.localizer()
    lung = s.slices("CT", "Lung 1.0 B70f", 200, thickness=1.0, contrast="IODINE")
    medi = s.slices("CT", "Mediastinum 3.0 B31f", 80, thickness=3.0, contrast="IODINE")
    result = hang(s, shipped)
    # Without a prior the comparison stage (the first) cannot open: the second one does.
    assert result.protocol.id == "ct-chest" and result.stage_index == 1
    assert not result.chosen.stages[0].enabled
    lung_vp, medi_vp, coronal = result.viewports
    assert lung_vp.display_set_uid.startswith(lung) and lung_vp.viewport.preset == "Lung"
    assert medi_vp.display_set_uid.startswith(medi) and medi_vp.viewport.preset == "Mediastinum"
    assert coronal.viewport.view.value == "MPR" and coronal.viewport.plane == "coronal"
    assert coronal.display_set_uid.startswith(lung)  # the thin volume


def test_ct_chest_opens_beside_its_prior(shipped):
    """With a prior, the first stage shows it under the current study, lung and mediastinum."""
    s = Study("CT CHEST WITH CONTRAST")
    lung = s.slices("CT", "Lung 1.0 B70f", 200, thickness=1.0, contrast="IODINE")
    medi = s.slices("CT", "Mediastinum 3.0 B31f", 80, thickness=3.0, contrast="IODINE")
    prior = Study("CT THORAX", "20160915")
    prior_lung = prior.slices("CT", "Lung 1.0 B70f", 180, thickness=1.0)
    prior_medi = prior.slices("CT", "Mediastinum 3.0 B31f", 70, thickness=3.0)
    result = hang(s, shipped, prior)
    assert result.protocol.id == "ct-chest" and result.stage_index == 0
    uids = [v.display_set_uid for v in result.viewports]
    assert [u[:len(p)] for u, p in zip(uids, (lung, medi, prior_lung, prior_medi), strict=True)] == [lung, medi, prior_lung, prior_medi]
    assert [v.study_index for v in result.viewports] == [0, 0, 1, 1]
    assert {g.id for g in result.stage.sync_groups} >= {"lung", "mediastinum", "current"}


def test_ct_abdomen_pelvis(shipped):
    s = Study("CT ABD AND PELVIS WITH IV CONT")
    axial = s.slices("CT", "Portal venous 3mm", 100, thickness=3.0, contrast="IODINE")
    coronal = s.slices("CT", "Cor 3mm", 60, plane="coronal", thickness=3.0)
    result = hang(s, shipped)
    assert result.protocol.id == "ct-abdomen-pelvis"
    assert by_label(result) == {"Axial": "CT 1 Portal venous 3mm", "Coronal MPR": "CT 1 Portal venous 3mm"}
    assert result.chosen.stages[2].viewports[0].display_set_uid.startswith(coronal)
    assert result.viewports[0].display_set_uid.startswith(axial)


def mr_brain(date: str = "20180301") -> Study:
    s = Study("MRI BRAIN WITH AND WITHOUT CONTRAST", date)
    s.slices("MR", "t1_se_tra", 20)
    s.slices("MR", "t2_tse_tra", 20)
    s.slices("MR", "t2_tirm_tra_dark-fluid (FLAIR)", 20)
    s.slices("MR", "ep2d_diff_3scan_trace", 20)
    s.slices("MR", "ep2d_diff_3scan_ADC", 20)
    s.slices("MR", "t1_se_tra POST", 20, contrast="GADOLINIUM")
    s.slices("MR", "t1_mprage_sag_p2_iso +C", 176, plane="sagittal", thickness=1.0, contrast="GADOLINIUM")
    return s


def test_mr_brain_sequences_by_description(shipped):
    result = hang(mr_brain(), shipped)
    # The comparison with the prior comes first; without a prior the next stage opens.
    assert result.protocol.id == "mr-brain" and result.stage_index == 1
    assert by_label(result) == {"T1": "MR 1 t1_se_tra", "T2": "MR 2 t2_tse_tra",
                                "FLAIR": "MR 3 t2_tirm_tra_dark-fluid (FLAIR)", "DWI": "MR 4 ep2d_diff_3scan_trace"}
    assert by_label(result, 2) == {"T1 pre": "MR 1 t1_se_tra", "T1 post": "MR 6 t1_se_tra POST"}
    mpr = result.chosen.stages[3]
    assert mpr.enabled and all(v.display_set_label == "MR 7 t1_mprage_sag_p2_iso +C" for v in mpr.viewports)
    assert not result.chosen.stages[0].enabled  # no prior


def test_mr_brain_missing_flair_and_no_contrast(shipped):
    s = Study("MR BRAIN")
    s.slices("MR", "t1_se_tra", 20)
    s.slices("MR", "t2_tse_tra", 20)
    result = hang(s, shipped)
    flair = result.viewports[2]
    assert not flair.filled and "no display set matches 'flair'" in flair.empty_reason
    assert not result.chosen.stages[2].enabled  # no post-contrast series: that stage cannot open
    assert "required viewport 2" in result.chosen.stages[2].reason


def test_mr_brain_with_prior_comparison(shipped):
    result = hang(mr_brain(), shipped, mr_brain("20160915"))
    assert result.stage_index == 0  # with a prior, the comparison opens
    stage = result.chosen.stages[0]
    assert stage.enabled and stage.filled == 4
    assert stage.viewports[2].study_label == "prior 2016-09-15, 1 y 5 m earlier"


def test_mr_spine(shipped):
    s = Study("MR LUMBAR SPINE")
    s.slices("MR", "t2_tse_sag", 15, plane="sagittal", thickness=4.0)
    s.slices("MR", "t1_tse_sag", 15, plane="sagittal", thickness=4.0)
    s.slices("MR", "t2_tirm_sag STIR", 15, plane="sagittal", thickness=4.0)
    s.slices("MR", "t2_tse_tra", 30, thickness=4.0)
    result = hang(s, shipped)
    assert result.protocol.id == "mr-spine"
    assert by_label(result) == {"Sag T1": "MR 2 t1_tse_sag", "Sag T2": "MR 1 t2_tse_sag", "Sag STIR": "MR 3 t2_tirm_sag STIR"}
    assert by_label(result, 2) == {"Ax T2": "MR 4 t2_tse_tra", "Sag T2": "MR 1 t2_tse_sag"}
    assert result.stage_index == 1 and not result.chosen.stages[0].enabled  # no prior to compare with


def mammo(date: str = "20180301", *, codes: bool = False) -> Study:
    s = Study("MAMMO SCREENING BILATERAL", date)
    codes_for = {"CC": ("399162004", "cranio-caudal"), "MLO": ("399368009", "medio-lateral oblique")}
    for lat, view in (("L", "MLO"), ("R", "CC"), ("R", "MLO"), ("L", "CC")):
        if codes:
            s.projection("MG", f"{lat} {view}", laterality=lat, view_code=codes_for[view])
        else:
            s.projection("MG", f"{lat} {view}", laterality=lat, view=view)
    return s


def test_mg_four_views_mirrored(shipped):
    result = hang(mammo(), shipped)
    assert result.protocol.id == "mg-screening" and result.stage_index == 0
    assert by_label(result) == {"RCC": "MG 2 R CC", "LCC": "MG 4 L CC", "RMLO": "MG 3 R MLO", "LMLO": "MG 1 L MLO"}
    orientation = {v.viewport.label: (v.viewport.patient_orientation, v.viewport.justification) for v in result.viewports}
    assert orientation == {"RCC": ("P", "right"), "LCC": ("A", "left"), "RMLO": ("P", "right"), "LMLO": ("A", "left")}
    assert [(v.row, v.column) for v in result.viewports] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_mg_view_code_sequence_and_current_above_prior(shipped):
    result = hang(mammo(codes=True), shipped, mammo("20160301"))
    assert by_label(result)["RCC"] == "MG 2 R CC"
    stage = result.chosen.stages[3]
    assert stage.enabled and stage.rows == 2 and stage.columns == 4 and stage.filled == 8
    top = [v for v in stage.viewports if v.row == 0]
    bottom = [v for v in stage.viewports if v.row == 1]
    assert {v.study_index for v in top} == {0} and {v.study_index for v in bottom} == {1}
    assert [v.viewport.label for v in bottom] == ["Prior RCC", "Prior LCC", "Prior RMLO", "Prior LMLO"]


def test_mg_missing_view_is_reported(shipped):
    s = Study("MAMMO")
    s.projection("MG", "R CC", laterality="R", view="CC")
    result = hang(s, shipped)
    lcc = result.viewports[1]
    assert not lcc.filled and "lcc" in lcc.empty_reason


def test_chest_radiograph_pa_lateral_and_prior(shipped):
    s = Study("XR CHEST 2 VIEWS")
    s.projection("CR", "Thorax lat", view="LL", body_part="CHEST")
    s.projection("CR", "Thorax pa", view="PA", body_part="CHEST")
    prior = Study("XR CHEST PA", "20171201")
    prior.projection("DX", "PA", view="PA", body_part="CHEST")
    result = hang(s, shipped, prior)
    assert result.protocol.id == "xr-chest" and result.stage_index == 0  # the prior beside the PA first
    assert by_label(result, 1) == {"PA": "CR 2 Thorax pa", "Lateral": "CR 1 Thorax lat"}
    compare = result.chosen.stages[0]
    assert compare.enabled and compare.viewports[1].study_label == "prior 2017-12-01, 3 m earlier"


def test_us_cine(shipped):
    s = Study("US ABDOMEN")
    s.cine("Liver clip", 40)
    s.cine("Gallbladder clip", 20)
    result = hang(s, shipped)
    assert result.protocol.id == "us-cine"
    filled = [v for v in result.viewports if v.filled]
    assert [v.display_set_label for v in filled] == ["US 1 Liver clip", "US 2 Gallbladder clip"]
    assert "only 2 display set(s) match 'clip'" in result.viewports[2].empty_reason


def test_fallback_for_anything_unmatched(shipped):
    s = Study("NM BONE SCAN")
    s.slices("NM", "Whole body", 1)
    result = hang(s, shipped)
    assert result.protocol.id == "fallback" and result.chosen.score == 0
    assert result.viewports[0].filled
    # A CT of no known region falls back too (every CT protocol requires its region).
    ct = Study("RESEARCH PHANTOM")
    ct.slices("CT", "Series A", 10)
    assert hang(ct, shipped).protocol.id == "fallback"


def test_ties_are_broken_deterministically(shipped):
    head = next(p for p in shipped if p.id == "ct-head")
    twin = protocol_from_dict({**protocol_to_dict(head), "id": "ct-head-copy"})
    study, _ = ct_head()
    # Same score and filling: the smaller id wins, whichever order the protocols come in.
    assert hang(study, [twin, head]).protocol.id == "ct-head"
    assert hang(study, [head, twin]).protocol.id == "ct-head"
    # A user protocol beats a shipped one of equal score.
    user = replace(twin, source="user")
    assert hang(study, [head, user]).protocol.id == "ct-head-copy"
    # Equal display-set scores: the lower series number wins.
    s = Study("CT HEAD")
    first = s.slices("CT", "Brain A", 20, thickness=5.0)
    s.slices("CT", "Brain B", 20, thickness=5.0)
    assert hang(s, shipped).viewports[0].display_set_uid.startswith(first)


def test_header_order_does_not_change_the_result(shipped):
    study = mr_brain()
    expected = hang(study, shipped).to_json()
    random.Random(5).shuffle(study.headers)
    assert hang(study, shipped).to_json() == expected


def test_required_rule_rules_protocol_out(shipped):
    result = hang(mr_brain(), shipped)
    ct = next(c for c in result.candidates if c.protocol.id == "ct-head")
    assert not ct.applicable and ct.why_not == "required rule failed: ModalitiesInStudy equals CT"
    with pytest.raises(HangingProtocolError, match="No hanging protocol applies"):
        hang(mr_brain(), [p for p in shipped if p.id == "ct-head"])
    with pytest.raises(HangingProtocolError, match="No hanging protocols are loaded"):
        hang(mr_brain(), [])
