"""The plan documents' PDFs (see :mod:`iop.reports.documents`): the IOP, a
report (draft rendered, finalised as kept), the IUP, the decision letter.
Registered by the reports app when it is ready.

Language: a PDF is written in the school's language (``School.language``, its
målform: bokmål, nynorsk or Swedish), never in the language the reader chose
for their pages (``User.language``). These are legal documents of the school:
a decision letter or an IOP is one document, the same for the guardian, the
school owner and the archive, whoever downloads it and whatever the interface
speaks to them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iop import selectors as iop_selectors
from iop.models import AccessLogEntry, Enkeltvedtak, Iop, IopVersion, Iup, IupSettings, SakkyndigVurdering
from students.models import Pupil, User

from . import documents, selectors, services
from .documents import Archivable, Made
from .models import Report

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


def _iop_version(user: User, object_id: str) -> tuple[IopVersion, Iop]:
    """Published version OBJECT_ID of an IOP USER may read, with its IOP (``Http404`` otherwise)."""
    try:
        version = IopVersion.objects.get(pk=int(object_id))
    except (IopVersion.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    return version, selectors.iop_for(user, version.iop_id)


def _iop_version_pupil(user: User, object_id: str) -> Pupil:
    return _iop_version(user, object_id)[1].pupil


def render_iop_version(user: User, object_id: str, max_chars: int | None) -> Made:
    """One published version of an IOP as PDF (what the guardians saw from
    its publication on), for the archive export."""
    version, iop = _iop_version(user, object_id)
    pupil = iop.pupil
    rendered = services.render_iop(iop, pupil, max_chars=max_chars, published=version)
    year = f"{iop.period_start:%Y}"
    name = documents.slug("iop", pupil.last_name, pupil.first_name, year, f"v{version.number}") + ".pdf"
    return Made(pupil=pupil, pdf=rendered.pdf, filename=name, kind=Kind.IOP, object_id=iop.pk)


def _vurdering_pupil(user: User, object_id: str) -> Pupil:
    return iop_selectors.vurdering_for(user, object_id).pupil


def render_vurdering(user: User, object_id: str, max_chars: int | None) -> Made:
    """The sakkyndig vurdering (opplæringslova § 11-8) with its subjects as
    PDF, field by field in the school's language, for the archive export
    (``Http404`` when USER may not read it)."""
    from students.pupil_file import FilePart, record

    from . import rendering

    sv = iop_selectors.vurdering_for(user, object_id)
    pupil = sv.pupil
    language = pupil.school.language or translation.get_language()
    with translation.override(language):
        title = str(sv)
        parts = [
            FilePart("iop.vurdering", title, [record(sv, title=title)]),
            FilePart(
                "iop.vurdering_subject",
                _("Subjects of the expert assessment"),
                [record(s, title=str(s), skip=("vurdering",)) for s in sv.subjects.all()],
            ),
        ]
        context = {"pupil": pupil, "parts": parts, "title": title, "draft": sv.is_draft, "doc_date": sv.assessed_on}
        rendered = rendering.render_pdf(
            "reports/pdf/record.html",
            context,
            language=language,
            identifier=f"vurdering:{sv.pk}:{sv.version}",
            max_chars=max_chars,
        )
    name = documents.slug("sakkyndig-vurdering", pupil.last_name, pupil.first_name, f"{sv.assessed_on:%Y}") + ".pdf"
    return Made(pupil=pupil, pdf=rendered.pdf, filename=name, kind=Kind.VURDERING, object_id=sv.pk)


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
    doc_date = vedtak.made_on or timezone.localdate()
    with translation.override(language):
        context = {
            "vedtak": vedtak,
            "pupil": pupil,
            "school": pupil.school,
            "title": str(_("Individual decision on individually adapted teaching")),
            "draft": False,
            "doc_date": doc_date,
            "letter": iop_selectors.vedtak_letter(vedtak, doc_date),
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


def _vurdering_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's completed expert assessments (drafts are not archived): one query."""
    rows = SakkyndigVurdering.objects.filter(pupil=pupil, status=SakkyndigVurdering.Status.COMPLETED)
    return [
        Archivable(
            str(v.pk),
            str(v),
            v.get_status_display(),
            {
                "assessed_on": v.assessed_on,
                "completed_at": v.completed_at,
                "valid_from": v.valid_from,
                "valid_to": v.valid_to,
            },
        )
        for v in rows.order_by("assessed_on")
    ]


def _vedtak_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's made decisions (drafts are not archived): one query."""
    rows = Enkeltvedtak.objects.filter(pupil=pupil, status=Enkeltvedtak.Status.MADE).order_by("valid_from")
    return [
        Archivable(
            str(v.pk),
            str(v),
            v.get_outcome_display(),
            {"made_on": v.made_on, "notified_on": v.notified_on, "valid_from": v.valid_from, "valid_to": v.valid_to},
        )
        for v in rows
    ]


def _iop_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's IOPs (as they stand; the published versions are in the whole file): one query."""
    rows = Iop.objects.filter(pupil=pupil).select_related("school_year").order_by("period_start")
    return [
        Archivable(
            str(i.pk),
            str(i),
            i.get_status_display(),
            {"period_start": i.period_start, "period_end": i.period_end, "published_at": i.published_at},
        )
        for i in rows
    ]


def _iop_version_archivable(pupil: Pupil) -> list[Archivable]:
    """Every published version of the pupil's IOPs: one query."""
    rows = IopVersion.objects.filter(iop__pupil=pupil).select_related("iop__school_year").order_by("iop_id", "number")
    return [
        Archivable(
            str(v.pk),
            f"{v.iop} – " + _("published version %(number)s") % {"number": v.number},
            str(_("Published")),
            {"published_at": v.published_at},
        )
        for v in rows
    ]


def _iup_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's IUPs: one query."""
    rows = Iup.objects.filter(pupil=pupil).select_related("school_year").order_by("created_at")
    return [
        Archivable(
            str(i.pk),
            str(i),
            i.get_status_display(),
            {"talk_date": i.talk_date, "published_at": i.published_at, "created_at": i.created_at},
        )
        for i in rows
    ]


def _report_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's finalised and published reports (drafts are not archived): one query."""
    rows = Report.objects.filter(pupil=pupil).exclude(status=Report.Status.DRAFT).order_by("period_start")
    return [
        Archivable(
            str(r.pk),
            str(r),
            r.get_status_display(),
            {
                "period_start": r.period_start,
                "period_end": r.period_end,
                "finalised_at": r.finalised_at,
                "sent_to_guardians_on": r.sent_to_guardians_on,
                "sent_to_school_owner_on": r.sent_to_school_owner_on,
            },
        )
        for r in rows
    ]


def register() -> None:
    documents.register("iop", pupil=_iop_pupil, render=render_iop, of_pupil=_iop_archivable)
    documents.register(
        "iop_version", pupil=_iop_version_pupil, render=render_iop_version, of_pupil=_iop_version_archivable
    )
    documents.register(
        "report", pupil=_report_pupil, render=render_report, of_pupil=_report_archivable, on_worker=_report_is_draft
    )
    # The IUP and the decision letter are rendered anew on each ask: on a worker.
    documents.register("iup", pupil=_iup_pupil, render=render_iup, of_pupil=_iup_archivable, on_worker=True)
    documents.register("vurdering", pupil=_vurdering_pupil, render=render_vurdering, of_pupil=_vurdering_archivable)
    documents.register("vedtak", pupil=_vedtak_pupil, render=render_vedtak, of_pupil=_vedtak_archivable, on_worker=True)
    from . import innsyn

    # The whole file, as PDF or JSON, and the archive export: always on a worker (seconds to minutes).
    documents.register("innsyn", pupil=innsyn.file_pupil, render=innsyn.render_file, on_worker=True)
    documents.register("innsyn_json", pupil=innsyn.file_pupil, render=innsyn.render_json, on_worker=True)
    documents.register("archive", pupil=innsyn.file_pupil, render=innsyn.render_archive, on_worker=True)


def _report_is_draft(user: User, object_id: str) -> bool:
    """A draft is rendered anew (seconds for a long one): on a worker; a finalised report is its kept file."""
    return selectors.report_for(user, object_id).is_draft
