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
    has, every other message as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
