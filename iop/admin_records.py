"""What the operators' admin may do with a pupil's records.

Two rules, for every app's admin of pupil records:

* **A read is logged.** A pupil's record opened in the admin (its page or
  its history) is a read of the pupil's confidential data like any other:
  :class:`LoggedReads` writes it to the access log
  (:class:`iop.models.AccessLogEntry`, purpose "opened in the admin"), so the
  guardians and the data controller see that an operator read it
  (GDPR art. 5(2)).
* **What the law made final stays final.** :class:`FinalOnceMade` makes a
  record read-only (no change, no delete, and its inlines likewise) once it
  is legal evidence: a vedtak made, a sakkyndig vurdering completed, a
  report finalised, a published version. The services never change them
  either.
"""

from __future__ import annotations

import operator
from typing import Any

from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from .models import AccessLogEntry


class LoggedReads:
    """Mixin for a ModelAdmin of a pupil's records. ``log_kind`` is the
    :class:`AccessLogEntry.Kind` of the document; ``pupil_path`` and
    ``document_path`` the attributes (dotted) that lead from a record to its
    pupil and to the UUID of the document it belongs to."""

    log_kind: str = ""
    pupil_path: str = "pupil"
    document_path: str = "pk"

    def _log(self, request: HttpRequest, object_id: str, purpose: str) -> None:
        from . import services

        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            return
        services.log_read(
            actor=request.user,  # type: ignore[arg-type]
            pupil=operator.attrgetter(self.pupil_path)(obj),
            kind=self.log_kind,
            object_id=operator.attrgetter(self.document_path)(obj),
            purpose=purpose,
        )

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().change_view(request, object_id, *args, **kwargs)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            self._log(request, object_id, AccessLogEntry.Purpose.ADMIN)
        return response

    def history_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().history_view(request, object_id, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            self._log(request, object_id, AccessLogEntry.Purpose.HISTORY)
        return response


class FinalOnceMade:
    """Mixin for a ModelAdmin (or an inline, which is given the parent
    record): ``is_final(obj)`` tells when a record is legal evidence; it is
    then shown, never changed or deleted."""

    def is_final(self, obj: Any) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_final(obj):
            return False
        return bool(super().has_change_permission(request, obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_final(obj):
            return False
        return bool(super().has_delete_permission(request, obj))  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_final(obj):  # an inline of a final record
            return False
        if obj is None and getattr(self, "parent_model", None) is None:
            return bool(super().has_add_permission(request))  # type: ignore[misc]
        return bool(super().has_add_permission(request, obj))  # type: ignore[misc]
