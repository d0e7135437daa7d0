"""The public report form: its choices (translated), and turning posted fields into a report."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pycountry
from babel import Locale
from pydantic import ValidationError

from tipline.reports.schemas import (
    Demand,
    Gender,
    IncidentType,
    PaymentMethod,
    PreferredContact,
    PublicReportIn,
    ReporterRole,
)

# Rows shown without JavaScript; with it, "add another" adds more (up to the API's limits).
ACCOUNT_ROWS = 3
PAYMENT_ROWS = 2
_ROW = re.compile(r"^(account|payment)_(\d{1,2})_(\w+)$")


def choices(gettext: Callable[[str], str]) -> dict[str, list[tuple[str, str]]]:
    """Every choice on the form with its label in the page's language."""
    _ = gettext
    return {
        "reporter_role": [
            (ReporterRole.VICTIM, _("I am the person being threatened")),
            (ReporterRole.PARENT_GUARDIAN, _("I am a parent or guardian")),
            (ReporterRole.FRIEND, _("I am a friend")),
            (ReporterRole.EDUCATOR, _("I am a teacher, coach or counsellor")),
            (ReporterRole.OTHER, _("Someone else")),
        ],
        "incident_type": [
            (
                IncidentType.ONLINE_ENTICEMENT,
                _("Someone online pressured a child for sexual images or acts"),
            ),
            (IncidentType.CHILD_PORNOGRAPHY, _("Sexual images of a child are being shared")),
            (
                IncidentType.MISLEADING_WORDS_OR_DIGITAL_IMAGES,
                _("Misleading words or images aimed at a child"),
            ),
            (IncidentType.UNSOLICITED_OBSCENE_MATERIAL, _("Sexual material was sent to a child")),
            (IncidentType.CHILD_SEX_TRAFFICKING, _("A child is being sold or traded for sex")),
            (
                IncidentType.CHILD_SEXUAL_MOLESTATION,
                _("A child is being sexually abused in person"),
            ),
            (IncidentType.CHILD_SEX_TOURISM, _("Someone travels to abuse children")),
            (IncidentType.MISLEADING_DOMAIN_NAME, _("A website name tricks children")),
        ],
        "demands": [
            (Demand.MONEY, _("Money, gift cards or crypto")),
            (Demand.IMAGES, _("More pictures or videos")),
            (Demand.SEXUAL_ACTIVITY, _("Sexual acts, on camera or in person")),
            (Demand.OTHER, _("Something else")),
        ],
        "payment_method": [
            (PaymentMethod.GIFT_CARD, _("Gift card")),
            (PaymentMethod.CASH_APP, "Cash App"),
            (PaymentMethod.PAYPAL, "PayPal"),
            (PaymentMethod.VENMO, "Venmo"),
            (PaymentMethod.ZELLE, "Zelle"),
            (PaymentMethod.CRYPTO, _("Cryptocurrency")),
            (PaymentMethod.BANK_TRANSFER, _("Bank transfer")),
            (PaymentMethod.OTHER, _("Other")),
        ],
        "preferred_contact": [
            (PreferredContact.EMAIL, _("By email")),
            (PreferredContact.PHONE, _("By phone call")),
            (PreferredContact.TEXT, _("By text message")),
            (PreferredContact.NOT_AT_ALL, _("Not at all: I will check the follow-up page")),
        ],
        "gender": [
            (Gender.FEMALE, _("Girl or woman")),
            (Gender.MALE, _("Boy or man")),
            (Gender.NON_BINARY, _("Non-binary")),
            (Gender.OTHER, _("Other")),
            (Gender.UNKNOWN, _("Prefer not to say")),
        ],
    }


def countries(lang: str) -> list[tuple[str, str]]:
    """ISO 3166-1 countries named in the page's language, sorted by that name."""
    names = Locale.parse(lang).territories
    rows = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return sorted(rows, key=lambda row: row[1].casefold())


def _rows(form: Mapping[str, str], kind: str) -> list[dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        match = _ROW.match(key)
        if match and match.group(1) == kind and value.strip():
            found.setdefault(int(match.group(2)), {})[match.group(3)] = value
    return [found[i] for i in sorted(found)]


def _none_if_blank(value: str | None) -> str | None:
    return value if value and value.strip() else None


def payload_from_form(form: Mapping[str, str], demands: list[str], lang: str) -> PublicReportIn:
    """Build the same payload the API takes; raises pydantic's ValidationError."""
    accounts = [
        {
            k: v
            for k, v in row.items()
            if k in {"platform", "username", "profile_url", "display_name"}
        }
        for row in _rows(form, "account")
    ]
    payments = [
        {k: v for k, v in row.items() if k in {"method", "handle", "amount"}}
        for row in _rows(form, "payment")
        if row.get("handle") or row.get("amount") or row.get("method") not in (None, "")
    ]
    threat = form.get("sextortion", "")
    victim: dict[str, Any] = {
        "age": _none_if_blank(form.get("victim_age")),
        "gender": _none_if_blank(form.get("victim_gender")),
        "country": _none_if_blank(form.get("victim_country")),
        "region": _none_if_blank(form.get("victim_region")),
        "school": _none_if_blank(form.get("victim_school")),
    }
    contact = {
        "name": _none_if_blank(form.get("contact_name")),
        "email": _none_if_blank(form.get("contact_email")),
        "phone": _none_if_blank(form.get("contact_phone")),
        "preferred_contact": _none_if_blank(form.get("contact_preferred")),
    }
    data: dict[str, Any] = {
        "reporter_role": form.get("reporter_role") or None,
        "description": form.get("description", ""),
        "incident_type": form.get("incident_type") or IncidentType.ONLINE_ENTICEMENT.value,
        "sextortion": threat == "yes",
        "demands": demands,
        "incident_date": _none_if_blank(form.get("incident_date")),
        "suspect_accounts": accounts,
        "payment_details": payments,
        "victim": victim if any(victim.values()) else None,
        "contact": contact if any(contact.values()) else None,
        "lang": lang,
        "safe_now": _none_if_blank(form.get("safe_now")),
        "deadline": _none_if_blank(form.get("deadline")),
        "already_shared": _none_if_blank(form.get("already_shared")),
        "already_paid": _none_if_blank(form.get("already_paid")),
    }
    return PublicReportIn.model_validate(data)


def error_fields(exc: ValidationError) -> dict[str, str]:
    """Field name (as on the form) -> pydantic message, for the page to explain in its language."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc[:1] == ["suspect_accounts"]:
            name = "accounts"
        elif loc[:1] == ["payment_details"]:
            name = "payments"
        elif loc[:1] in (["victim"], ["contact"]) and len(loc) > 1:
            name = f"{loc[0]}_{loc[1]}"
        else:
            name = loc[0] if loc else "form"
        out.setdefault(name, err["msg"])
    return out
