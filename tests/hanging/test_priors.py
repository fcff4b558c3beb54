"""Prior ranking, identity flags, interval text and the prefetch plan."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.hanging.headers import Study, to_bytes
from workstation.hanging.interval import interval_text, prior_label
from workstation.hanging.prefetch import prefetch_plan
from workstation.hanging.priors import find_priors, rank_priors
from workstation.model.entities import SeriesSummary, StudySummary
from workstation.model.query import StudyQuery
from workstation.store.library import Library


def summary(uid: str, date: str, modalities: tuple[str, ...], description: str, patient: str = "P1", issuer: str = "") -> StudySummary:
    return StudySummary(study_uid=uid, patient_id=patient, issuer_of_patient_id=issuer, study_date=date,
                        modalities=modalities, study_description=description)


@pytest.mark.parametrize("prior, current, text", [
    ("2015-01-01", "2018-03-01", "3 y 2 m earlier"),
    ("2010-06-30", "2015-01-01", "4 y 6 m earlier"),
    ("2018-02-20", "2018-03-01", "9 d earlier"),
    ("2018-03-01", "2018-03-01", "same day"),
    ("2017-03-01", "2018-03-01", "1 y earlier"),
    ("2020-05-01", "2018-03-01", "2 y 2 m later"),
])
def test_interval_text(prior, current, text):
    assert interval_text(dt.date.fromisoformat(prior), dt.date.fromisoformat(current)) == text


def test_prior_label():
    assert prior_label(dt.date(2015, 1, 1), dt.date(2018, 3, 1)) == "prior 2015-01-01, 3 y 2 m earlier"
    assert prior_label(None, dt.date(2018, 3, 1)) == "prior, date unknown"


def test_ranking_same_modality_and_region_first_then_recent():
    current = summary("cur", "20180301", ("CT", "SR"), "CT CHEST WITH CONTRAST")
    others = [
        summary("ct-abd-2017", "20170101", ("CT",), "CT ABDOMEN"),
        summary("ct-chest-2014", "20140101", ("CT",), "CT THORAX"),
        summary("ct-chest-2016", "20160101", ("CT",), "CT CHEST"),
        summary("xr-chest-2017", "20171201", ("CR",), "CHEST PA"),
        summary("sr-only", "20180101", ("SR",), "CT CHEST report"),
        summary("later", "20190101", ("CT",), "CT CHEST"),
        summary("other-issuer", "20170601", ("CT",), "CT CHEST", issuer="OTHER HOSPITAL"),
        summary("other-patient", "20170601", ("CT",), "CT CHEST", patient="P2"),
        current,
    ]
    ranked = rank_priors(current, others)
    assert [r.study.study_uid for r in ranked] == [
        "ct-chest-2016", "ct-chest-2014", "ct-abd-2017", "sr-only", "xr-chest-2017", "later", "other-issuer"]
    assert [r.rank for r in ranked] == list(range(1, 8))
    assert ranked[0].label == "prior 2016-01-01, 2 y 2 m earlier"
    flagged = ranked[-1]
    assert flagged.identifiers_differ and not flagged.confirmed
    assert flagged.to_json()["label"] == "possible prior 2017-06-01, 9 m earlier, identifiers differ"
    assert ranked[-2].label == "later study 2019-01-01, 10 m later"


def test_empty_patient_id_finds_nothing():
    current = summary("cur", "20180301", ("CT",), "CT HEAD", patient="")
    assert rank_priors(current, [summary("x", "20170101", ("CT",), "CT HEAD", patient="")]) == []


def test_find_priors_in_a_library(tmp_path):
    library = Library(tmp_path / "lib")
    current = Study("CT HEAD", "20180301", patient_id="PID7")
    current.slices("CT", "Brain", 3)
    old = Study("CT HEAD", "20120405", patient_id="PID7")
    old.slices("CT", "Brain", 3)
    stranger = Study("CT HEAD", "20150101", patient_id="PID8")
    stranger.slices("CT", "Brain", 3)
    for study in (current, old, stranger):
        for ds in study.headers:
            assert library.add_bytes(to_bytes(ds)).stored
    me = next(s for s in library.search_studies(StudyQuery())
              if s.study_uid == current.uid)
    ranked = find_priors(library, me)
    assert [r.study.study_uid for r in ranked] == [old.uid]
    assert ranked[0].label == "prior 2012-04-05, 5 y 10 m earlier" and ranked[0].same_modality and ranked[0].same_region
    library.close()


def test_prefetch_plan_is_bounded_and_skips_unconfirmed():
    current = summary("cur", "20180301", ("CT",), "CT HEAD")
    others = [summary(f"p{n}", f"201{n}0101", ("CT",), "CT HEAD") for n in range(5)]
    others.append(summary("flag", "20171231", ("CT",), "CT HEAD", issuer="X"))
    ranked = rank_priors(current, others)
    plan = prefetch_plan(ranked, 2)
    assert [i.study_uid for i in plan.items] == ["p4", "p3"] and [i.priority for i in plan.items] == [1, 2]
    assert all(i.series_uids == () for i in plan.items)
    assert any(s.startswith("flag: identifiers differ") for s in plan.skipped)
    assert len(plan.skipped) == 4 and plan.bandwidth_share == 0.25
    series = {"p4": [SeriesSummary("p4", "s-scout", "CT", 1, "", "", 1), SeriesSummary("p4", "s-brain", "CT", 2, "", "", 40),
                     SeriesSummary("p4", "s-sr", "SR", 3, "", "", 1)],
              "p3": [SeriesSummary("p3", "s-mr", "MR", 1, "", "", 40)]}
    plan = prefetch_plan(ranked, 2, series=series, modalities=["CT"], max_series_per_prior=1, bandwidth_share=0.5)
    assert plan.items[0].series_uids == ("s-brain",)
    assert [i.study_uid for i in plan.items] == ["p4", "p2"]  # p3 has no CT series
    assert plan.bandwidth_share == 0.5
    with pytest.raises(ValueError):
        prefetch_plan(ranked, 1, bandwidth_share=1.5)
