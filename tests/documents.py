"""Documents the way others write them, shared by the tests and the benchmarks: an online
service's CyberTipline report (written by hand from NCMEC's public documentation, not by
tipline's serializer) and a parent's public report."""

from __future__ import annotations

from typing import Any

REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<report>
  <incidentSummary>
    <incidentType>Online Enticement of Children for Sexual Acts</incidentType>
    <platform>ExampleChat</platform>
    <escalateToHighPriority>Minor threatened with a 2-hour deadline</escalateToHighPriority>
    <reportAnnotations>
      <sextortion/>
      <csamSolicitation/>
    </reportAnnotations>
    <incidentDateTime>2026-11-20T21:15:00-05:00</incidentDateTime>
  </incidentSummary>
  <internetDetails>
    <chatImIncident>
      <chatClient>ExampleChat DM</chatClient>
      <content>Reported user asked the minor for images, then demanded $500 in gift cards
        or the images would be sent to the minor's followers.</content>
    </chatImIncident>
  </internetDetails>
  <reporter>
    <reportingPerson>
      <firstName>Trust</firstName>
      <lastName>Safety</lastName>
      <email>tns@esp.example</email>
    </reportingPerson>
  </reporter>
  <personOrUserReported>
    <espIdentifier>90210-demo</espIdentifier>
    <espService>ExampleChat</espService>
    <screenName>demo_offender_77</screenName>
    <profileUrl>https://chat.example/u/demo_offender_77</profileUrl>
    <ipCaptureEvent>
      <ipAddress>192.0.2.10</ipAddress>
      <eventName>Login</eventName>
      <dateTime>2026-11-20T20:59:00Z</dateTime>
    </ipCaptureEvent>
  </personOrUserReported>
  <victim>
    <victimPerson>
      <age>15</age>
    </victimPerson>
    <screenName>demo_minor_1</screenName>
  </victim>
  <additionalInfo>Account disabled after review.</additionalInfo>
</report>
"""


GOOD: dict[str, Any] = {
    "reporter_role": "parent_guardian",
    "description": "An account asked my son for pictures, then demanded $300 in gift cards.",
    "sextortion": True,
    "demands": ["money"],
    "incident_date": "2026-11-01",
    "suspect_accounts": [
        {"platform": "ExampleGram", "username": "@Demo.Offender_1"},
        {"platform": "SampleChat", "profile_url": "https://chat.example/u/demo2"},
    ],
    "payment_details": [{"method": "gift_card", "amount": "300"}],
    "victim": {"age": 15, "gender": "male", "country": "US", "region": "California"},
    "contact": {"name": "Synthetic Parent", "email": "parent@example.test"},
    "lang": "en",
}
