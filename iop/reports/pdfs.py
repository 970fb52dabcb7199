"""The plan documents' PDFs (see :mod:`iop.reports.documents`): the IOP, a
report (draft rendered, finalised as kept), the IUP, the decision letter.
Registered by the reports app when it is ready."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iop import selectors as iop_selectors
from iop.models import AccessLogEntry, Iup, IupSettings
from students.models import Pupil, User

from . import documents, selectors, services
from .documents import Made

Kind = AccessLogEntry.Kind


def _iop_pupil(user: User, object_id: str) -> Pupil:
    return selectors.iop_for(user, object_id).pupil


def render_iop(user: User, object_id: str, max_chars: int | None) -> Made:
    """The IOP as PDF (``Http404`` when USER may not read it); a guardian
    gets the IOP as last published (:mod:`iop.published`)."""
    iop = selectors.iop_for(user, object_id)
    pupil = iop.pupil
    rendered = services.render_iop(iop, pupil, max_chars=max_chars, published=selectors.guardian_only(pupil))
    name = documents.slug("iop", pupil.last_name, pupil.first_name, f"{iop.period_start:%Y}") + ".pdf"
    return Made(pupil=pupil, pdf=rendered.pdf, filename=name, kind=Kind.IOP, object_id=iop.pk)


def _report_pupil(user: User, object_id: str) -> Pupil:
    return selectors.report_for(user, object_id).pupil


def render_report(user: User, object_id: str, max_chars: int | None) -> Made:
    """A report as PDF: a draft rendered now, a finalised one as kept
    (``services.ReportIntegrityError`` when the kept file is damaged)."""
    report = selectors.report_for(user, object_id)
    data = services.render_report(report, max_chars=max_chars).pdf if report.is_draft else services.stored_pdf(report)
    return Made(pupil=report.pupil, pdf=data, filename=report.filename(), kind=Kind.REPORT, object_id=report.pk)


def _iup_pupil(user: User, object_id: str) -> Pupil:
    return iop_selectors.iup_for(user, object_id).pupil


def render_iup(user: User, object_id: str, max_chars: int | None) -> Made:
    """The IUP as PDF in the school's language (a guardian's: as last published)."""
    from . import rendering

    page = iop_selectors.iup_page(user, object_id, read_mode=True)
    pupil = page.pupil
    language = pupil.school.language or translation.get_language()
    with translation.override(language):
        context = {
            "page": page,
            "iup": page.iup,
            "pupil": pupil,
            "Part": IupSettings.Part,
            "title": str(page.iup),
            "draft": page.iup.status == Iup.Status.DRAFT,
            "doc_date": timezone.localdate(),
        }
        rendered = rendering.render_pdf(
            "iop/iup_pdf.html",
            context,
            language=language,
            identifier=f"iup:{page.iup.pk}:{page.iup.version}",
            max_chars=max_chars,
        )
    name = documents.slug("iup", pupil.last_name, pupil.first_name, f"{page.iup.school_year.start:%Y}") + ".pdf"
    return Made(pupil=pupil, pdf=rendered.pdf, filename=name, kind=Kind.IUP, object_id=page.iup.pk)


def _vedtak_pupil(user: User, object_id: str) -> Pupil:
    return iop_selectors.vedtak_for(user, object_id).pupil


def render_vedtak(user: User, object_id: str, max_chars: int | None) -> Made:
    """The decision letter (forvaltningsloven §§ 24–27): the school's
    letterhead, the whole decision with its reasons and the appeal
    information and deadline, in the school's language. A guardian gets only
    a made decision (``Http404`` otherwise, as on the page); the internal
    note is never printed."""
    from . import rendering

    vedtak = iop_selectors.vedtak_for(user, object_id)
    pupil = vedtak.pupil
    language = pupil.school.language or translation.get_language()
    with translation.override(language):
        context = {
            "vedtak": vedtak,
            "pupil": pupil,
            "school": pupil.school,
            "title": str(_("Individual decision on individually adapted teaching")),
            "draft": False,
            "doc_date": vedtak.made_on or timezone.localdate(),
        }
        rendered = rendering.render_pdf(
            "iop/vedtak_pdf.html",
            context,
            language=language,
            identifier=f"vedtak:{vedtak.pk}:{vedtak.version}",
            max_chars=max_chars,
        )
    name = documents.slug("vedtak", pupil.last_name, pupil.first_name, f"{vedtak.valid_from:%Y}") + ".pdf"
    return Made(pupil=pupil, pdf=rendered.pdf, filename=name, kind=Kind.VEDTAK, object_id=vedtak.pk)


def register() -> None:
    documents.register("iop", pupil=_iop_pupil, render=render_iop)
    documents.register("report", pupil=_report_pupil, render=render_report)
    documents.register("iup", pupil=_iup_pupil, render=render_iup)
    documents.register("vedtak", pupil=_vedtak_pupil, render=render_vedtak)
