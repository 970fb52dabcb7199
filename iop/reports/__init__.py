"""Reports on the plans: årsrapport and halvårsrapport per IOP, the IOP
itself and (when the follow-up app registers it) the pedagogisk rapport as
PDF, rendered with WeasyPrint; school batches run as Celery tasks.

Glossary (DOMAIN.md, phase 6): *årsrapport* = the yearly report on the
teaching given and the pupil's development against the IOP goals
(opplæringslova § 11-10); *halvårsrapport* = the same, mid-year.
"""
