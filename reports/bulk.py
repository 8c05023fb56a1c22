"""One action on several reports at once, as if done one by one — or not at all.

A manager ticks faults in the queue and assigns, accepts, closes them as duplicates of one
report, or passes them on to their owner. Each report goes through the same service as on
its own page (the same checks, the same event and the same e-mails), inside one transaction:
when any report of the selection may not be changed — not the user's to change, already
dealt with, not among theirs at all — nothing changes, and the refusal names those reports.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.cities import in_city
from accounts.errors import DomainError
from accounts.policy import Right
from reports import selectors, services
from reports.models import Report

MAX_SELECTION = 200  # a page of the queue at its largest
S = Report.Status


class Action:
    ASSIGN = "assign"
    ACCEPT = "accept"
    MERGE = "merge"  # close as duplicates of one report
    FORWARD = "forward"  # pass on to the owner who looks after them

    ALL = (ASSIGN, ACCEPT, MERGE, FORWARD)
    RIGHTS = {
        ASSIGN: Right.CHANGE_REPORTS,
        ACCEPT: Right.CHANGE_REPORTS,
        MERGE: Right.CHANGE_REPORTS,
        FORWARD: Right.FORWARD_REPORTS,
    }


@dataclass(frozen=True)
class Refusal:
    number: str
    reason: str  # a sentence in the active language


class BulkRefused(DomainError):
    """Some reports of the selection may not be changed; nothing was."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        names = ", ".join(r.number for r in refusals)
        super().__init__(
            _("Nothing was changed: %(numbers)s cannot be changed this way.") % {"numbers": names},
            code="bulk_refused",
        )


def _selection(acting_user, numbers: list[str], where) -> tuple[list[Report], list[Refusal]]:
    """The user's reports among `numbers` (of the city of `where`), in the order given, and a
    refusal for each number that is not among them (another city's report reads as one that
    does not exist)."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    if not wanted:
        raise DomainError(_("Tick at least one report."), code="bulk_empty")
    if len(wanted) > MAX_SELECTION:
        raise DomainError(
            _("At most %(count)s reports at once.") % {"count": MAX_SELECTION},
            code="bulk_too_many",
        )
    found = {
        r.number: r
        for r in in_city(selectors.reports_for_user(acting_user), where)
        .filter(number__in=wanted)
        .select_related("owner")
    }
    refusals = [Refusal(n, _("not among your reports")) for n in wanted if n not in found]
    return [found[n] for n in wanted if n in found], refusals


def _refusal(acting_user, action: str, report: Report, *, into=None, to=None) -> str | None:
    """Why this report may not take the action, or None. The same checks as the services
    make, asked before anything is written so that a refusal changes nothing."""
    if not policy.may_on_report(acting_user, Action.RIGHTS[action], report):
        return _("you may not change it")
    if not report.is_open:
        return _("already dealt with")
    if action == Action.ACCEPT and report.status != S.NEW:
        return _("already accepted")
    if action == Action.MERGE and into is not None and report.pk == into.pk:
        return None  # the report that stays is not merged into itself
    if action == Action.FORWARD and to is not None and report.owner_id == to.pk:
        return _("already with them")
    return None


@transaction.atomic
def reports_bulk(
    *,
    numbers: list[str],
    action: str,
    acting_user,
    assignee=None,
    due_on: datetime.date | None = None,
    into_number: str = "",
    to=None,
    note: str = "",
    where=None,
) -> list[Report]:
    """Apply one action to the reports `numbers`; all of them change or none does.

    assign: to `assignee` (an organisation) by `due_on` (else each one's response target);
    accept; merge: close each as a duplicate of report `into_number` (which stays open);
    forward: pass each on to organisation `to`, with `note` for the residents. `where` (a
    request, a city) keeps the selection to its city: a superuser on a city's host acts on
    that city's reports only."""
    if action not in Action.ALL:
        raise DomainError(_("Choose what to do."), code="bulk_action_unknown")
    if not policy.may(acting_user, Action.RIGHTS[action]):
        raise DomainError(_("You may not change reports."), code="forbidden")
    if action == Action.ASSIGN and assignee is None:
        raise DomainError(_("Choose whom to assign them to."), code="bulk_assignee_needed")
    if action == Action.FORWARD and to is None:
        raise DomainError(_("Choose whom to pass them on to."), code="bulk_to_needed")
    if action == Action.FORWARD and not policy.in_city(acting_user, to):
        # Another city's organisation is as unknown as one that does not exist.
        raise DomainError(_("Choose whom to pass them on to."), code="bulk_to_unknown")
    if action == Action.ASSIGN and not policy.in_city(acting_user, assignee):
        raise DomainError(_("Assign within your organisation."), code="forbidden")
    reports, refusals = _selection(acting_user, numbers, where)
    into = None
    if action == Action.MERGE:
        into = _kept_report(acting_user, into_number, refusals, where)
        if into is not None and not [r for r in reports if r.pk != into.pk]:
            raise DomainError(
                _("Tick the duplicates as well as the report that stays."),
                code="bulk_nothing_to_merge",
            )
    if action == Action.ASSIGN and not policy.may(
        acting_user, Right.CHANGE_REPORTS, owner_id=assignee.pk
    ):
        raise DomainError(_("Assign within your organisation."), code="forbidden")
    for report in reports:
        reason = _refusal(acting_user, action, report, into=into, to=to)
        if reason:
            refusals.append(Refusal(report.number, reason))
    if refusals:
        raise BulkRefused(refusals)
    # Each service locks its report and checks again: a report changed by someone else
    # since the checks above raises there, and the whole selection rolls back, naming it.
    changed = []
    for report in reports:
        try:
            changed.append(_apply(action, report, acting_user, assignee, due_on, into, to, note))
        except DomainError as error:
            reason = _("changed by someone else meanwhile: show the queue again")
            raise BulkRefused([Refusal(report.number, reason)]) from error
    return [r for r in changed if r is not None]


def _kept_report(acting_user, number: str, refusals: list[Refusal], where) -> Report | None:
    number = (number or "").strip().upper()
    if not number:
        raise DomainError(_("Give the number of the report that stays."), code="bulk_into_needed")
    into = in_city(selectors.reports_for_user(acting_user), where).filter(number=number).first()
    if into is None:
        refusals.append(Refusal(number, _("not among your reports")))
    elif not into.is_open or not policy.may_on_report(acting_user, Right.CHANGE_REPORTS, into):
        refusals.append(Refusal(number, _("the report that stays must be open and yours")))
    return into


def _apply(action, report, acting_user, assignee, due_on, into, to, note) -> Report | None:
    if action == Action.ASSIGN:
        return services.report_assign(
            report=report, assignee=assignee, due_on=due_on, acting_user=acting_user
        )
    if action == Action.ACCEPT:
        return services.report_accept(report=report, acting_user=acting_user)
    if action == Action.MERGE:
        if report.pk == into.pk:
            return None
        services.report_merge(duplicate=report, into=into, acting_user=acting_user)
        return report
    return services.report_forward(report=report, to=to, acting_user=acting_user, note=note)
