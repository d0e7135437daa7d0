"""Jurisdiction routing: which agency should receive a report, how sure we are, and why.

Signals, each with a confidence: where the victim lives (the agency that can protect the child),
the IP addresses the reporting service captured (offline geolocation from a table the admin
loads), where the offender says they are, and the countries (and, for the US, states) of the
phone numbers in the report. Each signal names a place; the routing table names the agency for
the place (a state's, else the country's, else the international desk). An agency named by
several signals gathers their confidence (noisy-or). The analyst confirms or overrides.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import phonenumbers
import pycountry
from phonenumbers import geocoder
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.models import Organisation
from tipline.db import utcnow
from tipline.errors import BadInput, NotFound
from tipline.ispws import xml
from tipline.referral.events import ReferralEvent
from tipline.referral.models import GeoRange, RoutingRule
from tipline.reports import filed
from tipline.reports.models import Report

ANYWHERE = "*"
CONFIDENCE = {
    "victim_region": 0.8,
    "victim_country": 0.6,
    "ip_region": 0.7,
    "ip_country": 0.5,
    "offender_region": 0.5,
    "offender_country": 0.4,
    "phone_region": 0.35,
    "phone_country": 0.3,
}


@dataclass(frozen=True)
class Signal:
    kind: str
    country: str
    region: str
    confidence: float
    detail: str


@dataclass
class Candidate:
    agency: Organisation
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency_id": self.agency.id,
            "agency": self.agency.name,
            "confidence": round(self.confidence, 3),
            "reasons": self.reasons,
        }


def _csv_rows(text: str) -> Iterator[dict[str, str]]:
    lines = (line for line in io.StringIO(text) if line.strip() and not line.startswith("#"))
    for row in csv.DictReader(lines):
        yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def sample_agencies() -> str:
    return resources.files("tipline.referral").joinpath("data/agencies.csv").read_text()


def sample_geo() -> str:
    return resources.files("tipline.referral").joinpath("data/geo-sample.csv").read_text()


def _place(country: str, region: str, line: int) -> tuple[str, str]:
    country = country.upper()
    if country != ANYWHERE and pycountry.countries.get(alpha_2=country) is None:
        raise BadInput(f"line {line}: unknown country {country!r}", code="routing_file")
    region = region.upper()
    if region and (
        pycountry.subdivisions.get(code=region) is None or not region.startswith(f"{country}-")
    ):
        raise BadInput(f"line {line}: unknown region {region!r} in {country}", code="routing_file")
    return country, region


def load_agencies(db_session: Session, *, text: str, actor: str) -> int:
    """Agencies and the places they cover, from `name,country,region` lines. Each agency is
    created if new; each place's rule is set to it. Returns the number of rules set."""
    rows = list(_csv_rows(text))
    if not rows or not {"name", "country", "region"} <= set(rows[0]):
        raise BadInput("the file needs the columns name,country,region", code="routing_file")
    count = 0
    for line, row in enumerate(rows, start=2):
        if not row["name"]:
            raise BadInput(f"line {line}: an agency needs a name", code="routing_file")
        country, region = _place(row["country"], row["region"], line)
        try:
            agency = auth.get_organisation(db_session, ref=row["name"])
        except NotFound:
            agency = auth.create_organisation(
                db_session, name=row["name"], kind="agency", actor=actor
            ).organisation
        if agency.kind != "agency":
            raise BadInput(f"line {line}: {agency.name} is not an agency", code="routing_file")
        set_rule(db_session, country=country, region=region, agency=agency, actor=actor)
        count += 1
    return count


def set_rule(
    db_session: Session, *, country: str, region: str, agency: Organisation, actor: str
) -> RoutingRule:
    country, region = _place(country, region, 0)
    rule = db_session.scalar(
        select(RoutingRule).where(RoutingRule.country == country, RoutingRule.region == region)
    )
    before = rule.agency_id if rule else None
    if rule is None:
        rule = RoutingRule(country=country, region=region, agency_id=agency.id)
        db_session.add(rule)
    rule.agency_id, rule.updated_at = agency.id, utcnow()
    if agency.country is None and country != ANYWHERE:
        agency.country, agency.region = country, region or None
    db_session.flush()
    audit.record(
        db_session,
        actor=actor,
        action=ReferralEvent.RULE_SET,
        subject_type="routing_rule",
        subject_id=rule.id,
        data={"country": country, "region": region, "agency": agency.id, "before": before},
    )
    return rule


def rules(db_session: Session) -> list[RoutingRule]:
    # With their agencies: routing reads each matched rule's agency, the admin page all of them.
    return list(
        db_session.scalars(
            select(RoutingRule)
            .options(selectinload(RoutingRule.agency))
            .order_by(RoutingRule.country, RoutingRule.region)
        )
    )


def _ip_key(value: str) -> str:
    address = ipaddress.ip_address(value.strip())
    if isinstance(address, ipaddress.IPv4Address):
        address = ipaddress.IPv6Address(f"::ffff:{address}")
    return f"{int(address):032x}"


def load_geo(db_session: Session, *, text: str, actor: str) -> int:
    """Replace the IP geolocation table with `start,end,country,region` ranges."""
    ranges: list[dict[str, str]] = []
    for line, row in enumerate(_csv_rows(text), start=2):
        try:
            start, end = _ip_key(row["start"]), _ip_key(row["end"])
        except (KeyError, ValueError):
            raise BadInput(f"line {line}: not an IP range", code="geo_file") from None
        if end < start:
            raise BadInput(f"line {line}: the range ends before it starts", code="geo_file")
        country, region = _place(row.get("country", ""), row.get("region", ""), line)
        ranges.append({"start": start, "end": end, "country": country, "region": region})
    if not ranges:
        raise BadInput("the file holds no ranges", code="geo_file")
    db_session.execute(delete(GeoRange))
    for chunk in range(0, len(ranges), 5000):
        db_session.execute(GeoRange.__table__.insert(), ranges[chunk : chunk + 5000])  # type: ignore[attr-defined]
    audit.record(
        db_session,
        actor=actor,
        action=ReferralEvent.GEO_LOADED,
        subject_type="geo_table",
        subject_id="geo",
        data={"ranges": len(ranges)},
    )
    return len(ranges)


def locate_ip(db_session: Session, address: str) -> tuple[str, str] | None:
    try:
        key = _ip_key(address)
    except ValueError:
        return None
    found = db_session.scalar(
        select(GeoRange).where(GeoRange.start <= key).order_by(GeoRange.start.desc()).limit(1)
    )
    if found is None or found.end < key:
        return None
    return found.country, found.region


def _ip_addresses(document: Any) -> Iterator[str]:
    """Every ipAddress under an ipCaptureEvent in a CyberTipline document, however nested."""
    for _, event in filed.capture_events(document):
        address = xml.text_of(event.get("ipAddress"))
        if address:
            yield address.strip()


_US_STATE = {s.code.split("-")[1]: s.code for s in pycountry.subdivisions.get(country_code="US")}


def _phone_place(number: str, default_country: str) -> tuple[str, str] | None:
    try:
        parsed = phonenumbers.parse(number, default_country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    country = phonenumbers.region_code_for_number(parsed)
    if not country:
        return None
    region = ""
    if country == "US":
        # The US geocoder names "City, ST": the state of the area code.
        where = geocoder.description_for_number(parsed, "en")
        state = where.rsplit(", ", 1)[-1] if ", " in where else ""
        region = _US_STATE.get(state, "")
    return country, region


def signals(db_session: Session, *, reports: Iterable[Report]) -> list[Signal]:
    found: list[Signal] = []
    for report in reports:
        for person in report.people:
            who = {"victim": "victim", "suspect": "offender"}.get(person.role)
            if who and person.country:
                kind = f"{who}_region" if person.region else f"{who}_country"
                found.append(
                    Signal(
                        kind,
                        person.country,
                        person.region or "",
                        CONFIDENCE[kind],
                        f"{who} location in {report.case_number}",
                    )
                )
            if person.phone:
                place = _phone_place(person.phone, person.country or "US")
                if place:
                    kind = "phone_region" if place[1] else "phone_country"
                    found.append(
                        Signal(
                            kind,
                            *place,
                            CONFIDENCE[kind],
                            f"{person.role} phone number in {report.case_number}",
                        )
                    )
        for address in dict.fromkeys(_ip_addresses(report.extra.get("cybertipline") or {})):
            place = locate_ip(db_session, address)
            if place:
                kind = "ip_region" if place[1] else "ip_country"
                found.append(
                    Signal(kind, *place, CONFIDENCE[kind], f"IP {address} in {report.case_number}")
                )
    return found


def agency_for(
    country: str, region: str, table: dict[tuple[str, str], RoutingRule]
) -> Organisation | None:
    for key in ((country, region), (country, ""), (ANYWHERE, "")):
        if key in table and table[key].agency.is_active:
            return table[key].agency
    return None


def route(db_session: Session, *, reports: Iterable[Report]) -> list[Candidate]:
    """Agencies for these reports, most likely first, each with its confidence and reasons."""
    reports = list(reports)
    table = {(r.country, r.region): r for r in rules(db_session)}
    by_agency: dict[str, Candidate] = {}
    for signal in signals(db_session, reports=reports):
        agency = agency_for(signal.country, signal.region, table)
        if agency is None:
            continue
        candidate = by_agency.setdefault(agency.id, Candidate(agency))
        candidate.confidence = 1 - (1 - candidate.confidence) * (1 - signal.confidence)
        place = signal.region or signal.country
        candidate.reasons.append(f"{signal.detail}: {place}")
    if not by_agency:
        fallback = agency_for(ANYWHERE, "", table)
        if fallback is not None:
            by_agency[fallback.id] = Candidate(fallback, 0.1, ["no location found: fallback"])
    return sorted(by_agency.values(), key=lambda c: (-c.confidence, c.agency.name))
