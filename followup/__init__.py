"""Follow-up over the school year (ARCHITECTURE.md: ``followup``).

Concerns → kartlegging → oppfølgingsplan with tiltak → evaluation → referral
to PPT with consent; talks; follow-up meetings per group; the årshjul's duty
templates and the deadlines generated from them; reminders; the coordinator's
dashboard and a calendar feed per user. Depends on ``students`` (access layer),
reads ``iop``'s records (never the other way).

Running it:

* ``manage.py followup_generate_deadlines`` — (re)generate the deadlines of
  current school years (idempotent; also a nightly beat task). Changes to
  pupils, enrolments, groups and staff regenerate them after their commit
  (``roster``).
* ``manage.py followup_sweep`` — one reminder sweep without a broker (the beat
  task ``followup.sweep`` runs it every few minutes).
* ``manage.py followup_load_aarshjul [--skoleeier ID --set trondelag-vgs]`` —
  reload the built-in årshjul sets, or give a school owner its own copy.
* ``followup.demo.create()`` — demo records, after ``students.demo``.

Module map: ``models`` (glossary in its docstring), ``services`` (writes),
``selectors`` (reads), ``schedule`` (pure date rules), ``deadlines`` (the
deadline engine), ``sources`` (the records deadlines follow: concerns,
referrals, tiltak, and ``iop``'s SV, vedtak, IOP, IUP and årsrapport, read
from their models), ``chain`` (receivers of ``iop.signals``: each step of the
chain tells the next person and refreshes the pupil's deadlines),
``roster`` (regeneration when ``students``' records change),
``transfers`` and ``archived`` (a pupil who moves or leaves),
``reminders`` (the exactly-once sweep and sending), ``tasks`` (Celery),
``aarshjul_data`` (the built-in sets), ``ical``, ``sections`` (home and pupil
page sections).
"""
