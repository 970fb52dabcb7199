"""What the views of every app share when a service refuses.

``add_service_errors(form, exc)`` puts a service's ``ValidationError`` on the
form the person filled in: each field's messages beside that field, the rest
(and messages about fields the form does not have) above the form.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_service_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put EXC (a service's refusal) on FORM: field errors on the fields FORM
    has, every other message as a form-wide error. A refusal because others
    saved the same fields since the form was loaded
    (:class:`iop.concurrency.StaleFields`) moves the form to what is stored
    now, so saving again stores the user's text knowingly."""
    from .concurrency import LOADED, StaleFields

    if isinstance(exc, StaleFields) and LOADED in form.fields:
        data = form.data.copy()  # type: ignore[attr-defined]
        data[form.add_prefix(LOADED)] = exc.loaded
        for name, value in exc.adopt.items():
            if name in form.fields:
                data[form.add_prefix(name)] = "" if value is None else str(form.fields[name].prepare_value(value))
        form.data = data
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
