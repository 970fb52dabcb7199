"""What the chain announces to the rest of the project.

``iop`` never imports the apps that follow its records (``followup``); they
connect to these signals instead. Every signal is sent after the transaction
that made the change has committed (``transaction.on_commit``), so receivers
see the committed rows and a rolled-back change announces nothing.

Keyword arguments are named below; ``sender`` is the model class.
"""

from __future__ import annotations

from django.dispatch import Signal

#: An IOP or IUP was published or re-published.
#: kwargs: ``plan`` (Iop | Iup), ``actor`` (User), ``number`` (int | None, the IOP version number).
plan_published = Signal()

#: A sakkyndig vurdering was completed by PPT. kwargs: ``vurdering``, ``actor``.
vurdering_completed = Signal()

#: An enkeltvedtak was made. kwargs: ``vedtak``, ``actor``.
vedtak_made = Signal()

#: A consent to the assessment or the decision was withdrawn: the case stops.
#: kwargs: ``consent`` (CaseConsent), ``actor``.
case_consent_withdrawn = Signal()

#: An advance notice (forhåndsvarsel) shared a draft decision with the parties.
#: kwargs: ``notice`` (AdvanceNotice), ``actor``.
advance_notice_sent = Signal()

#: An appeal (klage) was registered or a step of it recorded (the school
#: owner's review, sent to Statsforvalteren, the outcome).
#: kwargs: ``appeal`` (Appeal), ``actor``, ``created`` (bool: newly registered).
appeal_recorded = Signal()

#: A report (årsrapport, halvårsrapport) was finalised or published.
#: kwargs: ``report``, ``actor``.
report_finalised = Signal()
report_published = Signal()

#: A dated record of the Swedish support chain changed: an extra adaptation
#: documented, changed or followed up, an åtgärdsprogram decided or evaluated
#: (their follow-up and evaluation dates are deadlines).
#: kwargs: ``pupil_id`` (uuid.UUID), ``actor`` (User).
support_record_changed = Signal()

#: The rektor decided on an åtgärdsprogram (or not to draw one up): the
#: mentor follows it up, the guardians are told a decision was made.
#: kwargs: ``programme`` (Atgardsprogram), ``actor`` (User).
atgardsprogram_decided = Signal()

#: A draft decision on an åtgärdsprogram (or not to draw one up) was
#: written: it waits for the rektor, who alone decides (skollagen 3 kap. 9 §).
#: kwargs: ``programme`` (Atgardsprogram), ``actor`` (User).
atgardsprogram_drafted = Signal()

#: An investigation of a pupil's need for särskilt stöd was started: the
#: rektor sees to it that the need is investigated promptly (skollagen 3 kap. 7 §).
#: kwargs: ``utredning`` (Utredning), ``actor`` (User).
utredning_started = Signal()

#: An investigation of särskilt stöd was concluded: a draft decision (an
#: åtgärdsprogram, or not to draw one up) is due (skollagen 3 kap. 9 §).
#: kwargs: ``utredning`` (Utredning), ``actor`` (User).
utredning_concluded = Signal()
