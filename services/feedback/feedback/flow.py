"""A ticket's life in one table: which action may move a ticket from which status to which, and who may take it.

    submitted ─accept→ accepted ─assign→ assigned ─sign→ in_progress ─answer→ answered ─rate_satisfied→ closed
        │                │  └─answer (the office answers itself)─────────────↗     └─rate_unsatisfied→ reopened
        ├─reject→ rejected (also from accepted)                        assigned ─return→ returned ─assign→ …
        └─merge→ merged (a duplicate; also from accepted)              reopened ─sign→ in_progress, ─answer→ answered
                                                                       (or ─assign→ another department)

Steps that leave the status alone: extensions (asked by the department before the deadline, granted or denied
by the portal office), deadline stages marked by the scheduler (due_soon, overdue, reminded 催办, escalated 督办;
the office may remind and escalate by hand too), and publishing a consultation's answer as Q&A.
"""

import logging
from dataclasses import dataclass

from portal_common.errors import Conflict, Forbidden

log = logging.getLogger(__name__)

RESIDENT, DEPARTMENT, OFFICE, SYSTEM = "resident", "department", "portal_office", "system"
STATUS_LABELS = {
    "submitted": "待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "merged": "已合并",
    "assigned": "已转办",
    "returned": "已退回",
    "in_progress": "办理中",
    "answered": "已办结",
    "closed": "已结案",
    "reopened": "重新办理",
}
OPEN = frozenset({"assigned", "in_progress", "reopened"})  # a department holds it and its deadline runs
ANSWERABLE = frozenset({"accepted", "in_progress", "reopened"})  # accepted: the portal office answers itself
WITHDRAWABLE = frozenset({"submitted", "accepted", "assigned", "returned", "in_progress", "reopened", "answered"})
DEADLINE_STAGES = ("", "due_soon", "overdue", "reminded", "escalated")  # Ticket.deadline_stage indexes this
ROLE_LABELS = {RESIDENT: "市民", DEPARTMENT: "承办部门", OFFICE: "门户办公室", SYSTEM: "系统"}


@dataclass(frozen=True)
class Actor:
    """Who acts: a resident (no account), a department's staff member, the portal office, or the scheduler."""

    username: str
    role: str
    department_id: int = 0

    @property
    def is_staff(self) -> bool:
        return self.role in (DEPARTMENT, OFFICE)


A_RESIDENT = Actor("resident", RESIDENT)
THE_SCHEDULER = Actor("scheduler", SYSTEM)


@dataclass(frozen=True)
class Rule:
    action: str  # what is asked for
    step: str  # what is recorded: the step's name and the event subject's last word
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status stays
    roles: frozenset[str]
    public_note: bool = False  # the resident sees the step's note (reasons, answers)


def _rule(action, step, label, sources, target, roles, public_note=False) -> Rule:
    return Rule(action, step, label, frozenset(sources), target, frozenset(roles), public_note)


RULES = {
    rule.action: rule
    for rule in (
        _rule("accept", "accepted", "受理", {"submitted"}, "accepted", {OFFICE}),
        _rule("reject", "rejected", "不予受理", {"submitted", "accepted"}, "rejected", {OFFICE}, True),
        _rule("merge", "merged", "合并办理", {"submitted", "accepted"}, "merged", {OFFICE}, True),
        _rule("assign", "assigned", "转办", {"accepted", "returned", "reopened"}, "assigned", {OFFICE}),
        _rule("sign", "signed", "签收", {"assigned", "reopened"}, "in_progress", {DEPARTMENT}),
        _rule("return", "returned", "退回", {"assigned"}, "returned", {DEPARTMENT}),
        _rule("request_extension", "extension_requested", "申请延期", {"in_progress"}, None, {DEPARTMENT}),
        _rule("grant_extension", "extension_granted", "同意延期", {"in_progress"}, None, {OFFICE}, True),
        _rule("deny_extension", "extension_denied", "不同意延期", {"in_progress"}, None, {OFFICE}),
        _rule("answer", "answered", "办结答复", ANSWERABLE, "answered", {DEPARTMENT, OFFICE}, True),
        _rule("rate_satisfied", "rated_satisfied", "评价满意", {"answered"}, "closed", {RESIDENT}, True),
        _rule("rate_unsatisfied", "rated_unsatisfied", "评价不满意", {"answered"}, "reopened", {RESIDENT}, True),
        _rule("close", "closed", "结案", {"answered", "reopened"}, "closed", {OFFICE, SYSTEM}, True),
        _rule("reopen", "reopened", "重新办理", {"closed"}, "reopened", {OFFICE}, True),
        _rule("mark_due_soon", "due_soon", "即将到期", OPEN, None, {SYSTEM}),
        _rule("mark_overdue", "overdue", "已超期", OPEN, None, {SYSTEM}),
        _rule("remind", "reminded", "催办", OPEN, None, {SYSTEM, OFFICE}),
        _rule("escalate", "escalated", "督办", OPEN, None, {SYSTEM, OFFICE}),
        # An upheld appeal of a malicious rating withdraws the rectification ticket the rating opened.
        _rule("withdraw", "withdrawn", "申诉成立，撤销整改", WITHDRAWABLE, "closed", {SYSTEM}, True),
        _rule("publish", "qa_published", "公开答复", {"answered", "closed"}, None, {DEPARTMENT, OFFICE}),
        _rule("unpublish", "qa_unpublished", "撤回公开", {"answered", "closed"}, None, {DEPARTMENT, OFFICE}),
    )
}
# What staff may ask for through the API; the rest belongs to residents' ratings and the scheduler.
STAFF_ACTIONS = tuple(a for a, r in RULES.items() if r.roles & {DEPARTMENT, OFFICE})
STEP_LABELS = {"submitted": "提交", **{r.step: r.label for r in RULES.values()}}
PUBLIC_NOTES = {r.step for r in RULES.values() if r.public_note}


def permitted(rule: Rule, *, status: str, handling_department_id: int | None, actor: Actor) -> None:
    """Raise unless `actor` may take `rule` on a ticket in `status` held by `handling_department_id`."""
    if actor.role not in rule.roles:
        log.warning("forbidden: %s (%s) tried to %s", actor.username, actor.role, rule.action)
        raise Forbidden("forbidden_role", f"您的角色不能进行“{rule.label}”操作")
    if actor.role == DEPARTMENT and handling_department_id != actor.department_id:
        log.warning(
            "forbidden: %s (department %s) tried to %s a ticket held by department %s",
            actor.username,
            actor.department_id,
            rule.action,
            handling_department_id,
        )
        raise Forbidden("forbidden_department", "您只能办理本部门的件")
    if status not in rule.sources:
        raise Conflict(
            "ticket_status_invalid", f"该件当前为“{STATUS_LABELS.get(status, status)}”，不能进行“{rule.label}”操作"
        )


def allowed_actions(*, status: str, handling_department_id: int | None, actor: Actor) -> list[str]:
    allowed = []
    for action in STAFF_ACTIONS:
        rule = RULES[action]
        if actor.role in rule.roles and status in rule.sources:
            if actor.role != DEPARTMENT or handling_department_id == actor.department_id:
                allowed.append(action)
    return allowed
