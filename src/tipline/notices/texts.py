"""The words of a notice and the steps to send it, in the victim's language.

What a notice says follows what a removal request needs under the US TAKE IT DOWN Act: where the
content is, a statement that it was shared without consent (or shows a minor), how to reach the
person asking, and their signature; and it asks the company to keep the evidence for the police.
The person sending it fills in their name and contact on the page, in their own browser
(notices.js puts them into the text): tipline's server never receives them."""

from __future__ import annotations

from collections.abc import Callable

Gettext = Callable[[str], str]

# What a notice to a site outside the directory cites: the TAKE IT DOWN Act only in case the site
# hosts what its users post (we do not know whether it does), and the child-image law when the
# person shown was under 18.
UNKNOWN_SITE_BASES = ("take_it_down_act_if_covered", "csam")


def legal_bases(_: Gettext) -> dict[str, str]:
    return {
        "take_it_down_act": _(
            "The TAKE IT DOWN Act (United States) requires you to remove non-consensual intimate "
            "images within 48 hours of a valid request, and to make reasonable efforts to remove "
            "copies."
        ),
        "csam": _(
            "The person shown was under 18. Sexual images of a minor are illegal to host, and US "
            "providers must report them to NCMEC's CyberTipline (18 U.S.C. 2258A)."
        ),
        "terms": _("Your own terms of service forbid sharing intimate images without consent."),
        "dsa": _(
            "This is a notice of illegal content under Article 16 of the EU Digital Services Act."
        ),
    }


def cited_bases(_: Gettext) -> dict[str, str]:
    """Every text a notice may cite: an administrator's legal bases, and the conditional one
    used for a site outside the directory (not offered in the directory form)."""
    return {
        **legal_bases(_),
        "take_it_down_act_if_covered": _(
            "If your site hosts content that its users post, the TAKE IT DOWN Act (United States) "
            "requires you to remove non-consensual intimate images within 48 hours of a valid "
            "request."
        ),
    }


# Who sends the notice: the person shown, their parent or guardian, or someone acting for them
# with their permission (the TAKE IT DOWN Act accepts a request from "an authorized person
# acting on behalf of" the person shown).
RELATIONSHIPS = ("self", "parent", "agent")

# A notice is written in a language the company's team reads, whatever the page's language, with
# the page's language beside it for the reader. The directory's `country` says where a company is
# based: one in a Spanish-speaking country is written to in Spanish, any other in English (the
# language trust and safety teams work in). A site outside the directory is placed by its country
# domain (.mx, .es, ...); failing that, an entry citing US law (UNKNOWN_SITE_BASES do) is taken
# to be bound by it, so written to in English, and anything else in the page's language.
US_BASES = frozenset({"take_it_down_act", "take_it_down_act_if_covered", "csam"})
SPANISH_SPEAKING = frozenset(
    {"AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GQ", "GT"}
    | {"HN", "MX", "NI", "PA", "PE", "PR", "PY", "SV", "UY", "VE"}
)


def country_of_host(host: str) -> str | None:
    """A Spanish-speaking country's code from a host's country domain (a .com says nothing)."""
    code = host.rsplit(".", 1)[-1].upper()
    return code if code in SPANISH_SPEAKING else None


def notice_language(
    bases: list[str] | tuple[str, ...], page_lang: str, *, country: str | None = None
) -> str:
    """The language a notice to a company based in `country`, citing `bases`, is written in."""
    if country is not None:
        return "es" if country in SPANISH_SPEAKING else "en"
    return "en" if US_BASES.intersection(bases) else page_lang


def _opening(_: Gettext, *, minor: bool, relationship: str) -> str:
    if relationship == "parent":
        return (
            _(
                "I am the parent or guardian of the person shown, and I am writing on behalf of "
                "my child, who is under 18. I am asking you to remove the following content. It "
                "shows my child in an intimate image or video, shared without consent."
            )
            if minor
            else _(
                "I am the parent or guardian of the person shown, and I am writing on their "
                "behalf. I am asking you to remove the following content. It shows them in an "
                "intimate image or video that was shared without their consent."
            )
        )
    if relationship == "agent":
        return (
            _(
                "I am writing on behalf of the person shown, with their permission. I am asking "
                "you to remove the following content. It shows them in an intimate image or video "
                "taken when they were under 18, shared without their consent."
            )
            if minor
            else _(
                "I am writing on behalf of the person shown, with their permission. I am asking "
                "you to remove the following content. It shows them in an intimate image or video "
                "that was shared without their consent."
            )
        )
    return (
        _(
            "I am asking you to remove the following content. It shows me in an intimate image or "
            "video taken when I was under 18, shared without my consent."
        )
        if minor
        else _(
            "I am asking you to remove the following content. It shows me in an intimate image or "
            "video that was shared without my consent."
        )
    )


def _confirmation(_: Gettext, *, relationship: str) -> str:
    if relationship == "self":
        return _(
            "I confirm in good faith that this content was shared without my consent, and that the "
            "information in this notice is accurate."
        )
    return _(
        "I confirm in good faith that this content was shared without the consent of the person "
        "shown, that I am authorized to act for them, and that the information in this notice is "
        "accurate."
    )


def placeholders(_: Gettext) -> dict[str, str]:
    """What a notice says where the sender's name and contact go, until they fill them in."""
    return {"name": _("[your name]"), "contact": _("[your email or phone]")}


def variants(_: Gettext, text: str, *, minor: bool) -> dict[str, str]:
    """A notice written for the person shown (as notice_text writes it), for each of
    RELATIONSHIPS: the page picks one in the browser, with the sender's name and contact."""
    own = (_opening(_, minor=minor, relationship="self"), _confirmation(_, relationship="self"))
    out = {}
    for relationship in RELATIONSHIPS:
        out[relationship] = text.replace(
            own[0], _opening(_, minor=minor, relationship=relationship)
        ).replace(own[1], _confirmation(_, relationship=relationship))
    return out


def notice_text(
    _: Gettext,
    *,
    platform: str,
    urls: list[str],
    bases: list[str],
    deadline_hours: int | None,
    minor: bool,
    relationship: str = "self",
) -> str:
    known = cited_bases(_)
    blanks = placeholders(_)
    lines = [
        _("To the trust and safety team of %(platform)s,") % {"platform": platform},
        "",
        _opening(_, minor=minor, relationship=relationship),
        "",
        *[f"- {url}" for url in urls],
        "",
    ]
    for key in bases:
        if key in known and (key != "csam" or minor):
            lines.append(known[key])
    if deadline_hours:
        lines.append(
            _("Please remove it within %(hours)s hours and tell me when it is done.")
            % {"hours": deadline_hours}
        )
    lines += [
        _(
            "Please also preserve the content, the account that posted it and its records, so that "
            "law enforcement can request them."
        ),
        _confirmation(_, relationship=relationship),
        "",
        _("Name (typing it is your electronic signature): %(name)s") % {"name": blanks["name"]},
        _("How to reach me: %(contact)s") % {"contact": blanks["contact"]},
    ]
    return "\n".join(lines)


def steps(
    _: Gettext,
    *,
    report_url: str | None,
    email: str | None,
    notes: str,
    host: str,
    known: bool = True,
) -> list[str]:
    """What the victim does, in order, with this platform's own channel."""
    out: list[str] = []
    if report_url:
        out.append(_("Open the company's report form: %(url)s") % {"url": report_url})
        if notes:
            out.append(notes)
        out.append(_("Paste the notice below into the form, with the addresses."))
    elif email:
        out.append(_("Write an email to %(email)s.") % {"email": email})
        out.append(_('Use the subject "Removal request: intimate image shared without consent".'))
        out.append(_("Paste the notice below into the email."))
    elif known:
        # In the directory, but with no web form or address for these reports (an app that
        # takes reports only inside it): its notes say where the Report option is.
        out.append(
            _(
                "Report it inside the app or on the site: use the Report option on the post, "
                "message or account."
            )
        )
        if notes:
            out.append(notes)
        out.append(_("Paste the notice below wherever the report lets you write."))
    else:
        # Unknown site: find its abuse contact, and promise nothing about when it will act.
        out.append(
            _(
                'This site is not in our directory. Look for a "Report" or "Abuse" link on the '
                "page, or write to the site's abuse address (often abuse@%(domain)s)."
            )
            % {"domain": host}
        )
        out.append(
            _(
                "If the site has no such link or does not answer, find the company that hosts "
                "it: a WHOIS lookup of %(domain)s names the hosting company and its abuse "
                "contact. Send the notice there too."
            )
            % {"domain": host}
        )
        out.append(
            _(
                "We do not know which law binds this site, so we cannot tell you when it must "
                "act. Keep a note of the date you sent the notice."
            )
        )
        out.append(_("Paste the notice below into the form or email."))
    out += [
        _("Fill in your name and how to reach you, then send it."),
        _("Keep the confirmation, ticket number or reply: it helps if you need to follow up."),
        _("Come back here and mark each address as reported, and later as removed or still up."),
    ]
    return out
