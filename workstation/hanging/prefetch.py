"""Which priors, and which of their series, to fetch in the background while the current study loads.

This module only *plans* (a pure function); the loader carries the plan out. The interface the
loader honours (``workstation.net`` scheduling):

* items are fetched in ``priority`` order (1 first), each only after the current study's own
  requests are queued: the current study always comes first;
* prior traffic is held to ``bandwidth_share`` of the link (0 <= share <= 1; 0 holds it back
  entirely) while the current study is still loading, and may use the whole link once it has
  arrived (:class:`workstation.net.throttle.BackgroundThrottle` does this);
* an item with no ``series_uids`` means the whole study (its series were not known yet);
* at most ``max_priors`` studies are planned; possible priors (identifiers differ) are left out
  unless asked for, since a person must confirm them first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workstation.hanging.priors import NON_IMAGE_MODALITIES, RankedPrior
from workstation.model.entities import SeriesSummary
from workstation.model.source import CancelToken, InstanceSink, StudySource
from workstation.net.throttle import ByteThrottle
from workstation.net.transfer import PullReport, pull_study

DEFAULT_BANDWIDTH_SHARE = 0.25


@dataclass(frozen=True)
class PrefetchItem:
    """One prior study to fetch, and which of its series."""

    priority: int
    study_uid: str
    series_uids: tuple[str, ...]  # empty: the whole study
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"priority": self.priority, "study_uid": self.study_uid, "series_uids": list(self.series_uids),
                "reason": self.reason}


@dataclass(frozen=True)
class PrefetchPlan:
    """The priors to fetch, in order, with the share of bandwidth they may take."""

    items: tuple[PrefetchItem, ...]
    bandwidth_share: float = DEFAULT_BANDWIDTH_SHARE
    skipped: tuple[str, ...] = field(default_factory=tuple)  # why each left-out prior was left out

    def to_json(self) -> dict[str, Any]:
        return {"bandwidth_share": self.bandwidth_share, "items": [i.to_json() for i in self.items],
                "skipped": list(self.skipped)}


def _wanted_series(series: Sequence[SeriesSummary], modalities: set[str], limit: int) -> tuple[str, ...]:
    chosen = [s for s in series if s.modality.upper() not in NON_IMAGE_MODALITIES
              and (not modalities or s.modality.upper() in modalities)]
    # Larger series first (the diagnostic reconstructions, not the localizers), then series number.
    chosen.sort(key=lambda s: (-(s.number_of_instances or 0), s.series_number if s.series_number is not None else 1 << 30))
    return tuple(s.series_uid for s in chosen[:limit])


def prefetch_plan(
    ranked: Sequence[RankedPrior],
    max_priors: int,
    *,
    series: Mapping[str, Sequence[SeriesSummary]] | None = None,
    modalities: Sequence[str] = (),
    max_series_per_prior: int = 4,
    bandwidth_share: float = DEFAULT_BANDWIDTH_SHARE,
    include_possible: bool = False,
) -> PrefetchPlan:
    """Plan the background fetch of at most ``max_priors`` priors, best ranked first.

    ``series`` maps a prior's Study Instance UID to its series (QIDO-RS) when known: then only
    image series of ``modalities`` (all image modalities when empty), at most
    ``max_series_per_prior``, are planned; otherwise the whole study.
    """
    if not 0 <= bandwidth_share <= 1:
        raise ValueError("bandwidth_share must be in [0, 1]")
    wanted = {m.upper() for m in modalities}
    items: list[PrefetchItem] = []
    skipped: list[str] = []
    for prior in ranked:
        uid = prior.study.study_uid
        if prior.identifiers_differ and not include_possible:
            skipped.append(f"{uid}: identifiers differ (not confirmed as the same patient)")
            continue
        if len(items) >= max(0, max_priors):
            skipped.append(f"{uid}: beyond the {max_priors} prior(s) wanted")
            continue
        known = series.get(uid) if series is not None else None
        uids = _wanted_series(known, wanted, max_series_per_prior) if known is not None else ()
        if known is not None and not uids:
            skipped.append(f"{uid}: no image series of the wanted modalities")
            continue
        items.append(PrefetchItem(len(items) + 1, uid, uids, f"rank {prior.rank}: {prior.label}"))
    return PrefetchPlan(tuple(items), bandwidth_share, tuple(skipped))


class _SeriesSubset:
    """A study source that lists only the planned series of a study (the rest of the calls pass
    through), so :func:`pull_study` fetches just those."""

    def __init__(self, source: StudySource, study_uid: str, series_uids: Sequence[str],
                 throttle: ByteThrottle | None = None) -> None:
        self._source = source
        self._study_uid = study_uid
        self._wanted = set(series_uids)
        self._throttle = throttle

    def iter_instances(self, study_uid: str, series_uid: str, sop_instance_uids: Sequence[str] | None = None,
                       cancel: CancelToken | None = None) -> Iterator[bytes]:
        """The series' stream, opened only once the throttle allows (not while it is paused)."""
        wait = getattr(self._throttle, "wait_for_budget", None)
        if wait is not None:
            wait(cancel)
        yield from self._source.iter_instances(study_uid, series_uid, sop_instance_uids, cancel)

    def search_series(self, study_uid: str) -> list[SeriesSummary]:
        found = list(self._source.search_series(study_uid))
        if study_uid != self._study_uid or not self._wanted:
            return found
        return [s for s in found if s.series_uid in self._wanted]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def prefetch_priors(
    plan: PrefetchPlan,
    source: StudySource,
    sink: InstanceSink,
    *,
    throttle: ByteThrottle | None = None,
    cancel: CancelToken | None = None,
    parallel_series: int = 1,
) -> list[PullReport]:
    """Carry ``plan`` out: pull each planned prior (only its planned series) into ``sink``, in
    priority order, through ``throttle`` (the bandwidth share; see the module docstring).
    One series at a time by default, so the background never opens more than one stream."""
    reports = []
    for item in sorted(plan.items, key=lambda i: i.priority):
        if cancel is not None:
            cancel.raise_if_cancelled()
        subset = _SeriesSubset(source, item.study_uid, item.series_uids, throttle)
        reports.append(pull_study(subset, sink, item.study_uid, cancel=cancel,
                                  parallel_series=parallel_series, throttle=throttle))
    return reports


__all__ = ["DEFAULT_BANDWIDTH_SHARE", "PrefetchItem", "PrefetchPlan", "prefetch_plan", "prefetch_priors"]
