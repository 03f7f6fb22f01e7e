"""What an arriving execution or commission report is, against what is held of its fill: the
one rule the journal (on disk) and the state (on screen) both apply.

A fill is keyed by its exec id without the correction suffix (`exec_base`): IB corrects an
execution by sending it again with the last group raised ("…01.01" -> "…01.02"). The same
revision again is a duplicate (a replay after a reconnect, IB sending it twice) unless it
brings the commission the held one lacks; an older revision than the held one is stale.
"""

from __future__ import annotations

from enum import StrEnum

from .records import FillRow, is_later_revision


class FillNews(StrEnum):
    NEW = "new"  # never seen
    CORRECTION = "correction"  # a later revision of the fill held: it replaces it
    COMMISSION = "commission"  # the revision held again, now with the commission it lacked
    NOTHING = "nothing"  # a duplicate, or an older revision than the one held


class ReportNews(StrEnum):
    APPLY = "apply"  # onto the fill held
    WAIT = "wait"  # for a fill (or a revision) not seen yet: kept until it comes
    NOTHING = "nothing"  # the fill held has its commission, or is a later revision


def fill_news(held_exec_id: str | None, held_commission: bool, arriving: FillRow) -> FillNews:
    """What `arriving` is, given the revision held of its fill (None: none) and whether that
    one has its commission."""
    if held_exec_id is None:
        return FillNews.NEW
    if held_exec_id != arriving.exec_id:
        later = is_later_revision(arriving.exec_id, held_exec_id)
        return FillNews.CORRECTION if later else FillNews.NOTHING
    if arriving.commission is not None and not held_commission:
        return FillNews.COMMISSION
    return FillNews.NOTHING


def report_news(held_exec_id: str | None, held_commission: bool, report_exec_id: str
                ) -> ReportNews:
    """What a commission report for `report_exec_id` is, given the revision held."""
    if held_exec_id is None or is_later_revision(report_exec_id, held_exec_id):
        return ReportNews.WAIT
    if held_exec_id == report_exec_id and not held_commission:
        return ReportNews.APPLY
    return ReportNews.NOTHING
