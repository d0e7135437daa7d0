"""The words of a notice and the steps to send it, in the victim's language.

What a notice says follows what a removal request needs under the US TAKE IT DOWN Act: where the
content is, a statement that it was shared without consent (or shows a minor), how to reach the
person asking, and their signature; and it asks the company to keep the evidence for the police.
The person sending it fills in their name and contact: tipline never asks for them."""

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


def notice_text(
    _: Gettext,
    *,
    platform: str,
    urls: list[str],
    bases: list[str],
    deadline_hours: int | None,
    minor: bool,
) -> str:
    known = cited_bases(_)
    lines = [
        _("To the trust and safety team of %(platform)s,") % {"platform": platform},
        "",
        _(
            "I am asking you to remove the following content. It shows me in an intimate image or "
            "video that was shared without my consent."
        )
        if not minor
        else _(
            "I am asking you to remove the following content. It shows me in an intimate image or "
            "video taken when I was under 18, shared without my consent."
        ),
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
        _(
            "I confirm in good faith that this content was shared without my consent, and that the "
            "information in this notice is accurate."
        ),
        "",
        _("Name (typing it is your electronic signature): [your name]"),
        _("How to reach me: [your email or phone]"),
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
