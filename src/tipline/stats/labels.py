"""What each figure and key is called on the pages, in the page's language."""

from __future__ import annotations

from collections.abc import Callable

from tipline.reports.form import choices
from tipline.stats import vocabulary


def figure_titles(_: Callable[[str], str]) -> dict[str, str]:
    return {
        "reports": _("Reports received, by month"),
        "incidents": _("Incidents (reports about the same case counted once), by month"),
        "takedown_cases": _("Take It Down cases opened, by month"),
        "takedown_matches": _("Matches reported by platforms, by month"),
        "incident_type": _("Reports by type of incident"),
        "disposition": _("Referred to law enforcement, or informational"),
        "sextortion": _("Sextortion reports: was money demanded?"),
        "demand": _("What was demanded (a report may name several)"),
        "victim_age": _("Children and young people in reports, by age"),
        "victim_gender": _("Children and young people in reports, by gender"),
        "platform": _("Platforms and apps named (a report may name several)"),
        "source": _("Where reports came from"),
        "tier": _("Reports by priority tier"),
        "sla": _("Top-tier reports triaged within the hour"),
        "referral_outcome": _("What agencies did with referrals"),
        "takedown_feedback": _("Platforms' feedback on hash matches"),
        "notices": _("Take-down requests sent to companies, by platform"),
        "notices_removed": _("Addresses removed after a request, by platform"),
    }


def key_labels(_: Callable[[str], str]) -> dict[str, dict[str, str]]:
    options = choices(_)
    return {
        "incident_type": {str(k): v for k, v in options["incident_type"]},
        "demand": {str(k): v for k, v in options["demands"]},
        "victim_gender": {
            **{str(k): v for k, v in options["gender"]},
            "unknown": _("Not known"),
        },
        "victim_age": {"unknown": _("Not known"), "18+": _("18 or over")},
        "disposition": {
            "referred": _("Referred to law enforcement"),
            "informational": _("Informational (closed without a referral)"),
            "in_review": _("Still in review"),
        },
        "sextortion": {"financial": _("Money was demanded"), "other": _("No money demanded")},
        "source": {
            "public": _("The public"),
            "esp": _("Online services"),
            "detector": _("The red-flag detector"),
        },
        "sla": {"met": _("Within the hour"), "missed": _("Late")},
        "platform": {
            **{key: vocabulary.platform_name(key) for key in vocabulary.PLATFORMS},
            "other": _("Other platforms"),
        },
        "notices": {"other": _("Other sites")},
        "notices_removed": {"other": _("Other sites")},
        "takedown_feedback": {
            "matched": _("Matched"),
            "removed": _("Removed"),
            "false_positive": _("False positive"),
        },
    }


def label(labels: dict[str, dict[str, str]], figure: str, key: str) -> str:
    return labels.get(figure, {}).get(key, key)
