"""One mechanism for form errors on every page: a message beside each field, in the page's language.

A form handler collects problems in a `FormErrors` and, when there are any, renders the same page
again with `errors` and the values as typed (`form`), status 422::

    errors = FormErrors(request_lang(request))
    lat = errors.number("latitude", form["latitude"], low=-90, high=90)
    ...
    try:
        data = CameraUpdate(...)
    except ValidationError as exc:
        errors.from_validation(exc)

The template imports the macros of `_form.html`: `field_error(errors, "latitude")` after the
input, and `form_errors(errors)` once above the form.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from monitor.core import i18n

i18n.add_strings(
    {
        "form.fix_below": {
            "vi": "Chưa lưu: vui lòng sửa các ô được đánh dấu bên dưới.",
            "en": "Not saved: please correct the marked fields below.",
        },
        "form.required": {"vi": "Bắt buộc phải nhập.", "en": "Required."},
        "form.number": {
            "vi": "Phải là một số, ví dụ 15,12162 hoặc 15.12162.",
            "en": "Must be a number, e.g. 15.12162 or 15,12162.",
        },
        "form.integer": {"vi": "Phải là một số nguyên.", "en": "Must be a whole number."},
        "form.between": {
            "vi": "Phải từ {low} đến {high}.",
            "en": "Must be between {low} and {high}.",
        },
        "form.at_least": {"vi": "Phải lớn hơn hoặc bằng {low}.", "en": "Must be at least {low}."},
        "form.at_most": {"vi": "Phải nhỏ hơn hoặc bằng {high}.", "en": "Must be at most {high}."},
        "form.too_long": {
            "vi": "Dài quá {max} ký tự.",
            "en": "Longer than {max} characters.",
        },
        "form.date": {
            "vi": "Ngày không hợp lệ (năm-tháng-ngày).",
            "en": "Not a valid date (year-month-day).",
        },
        "form.choice": {"vi": "Giá trị không có trong danh sách.", "en": "Not one of the choices."},
        "form.invalid": {"vi": "Giá trị không hợp lệ.", "en": "Not a valid value."},
        "form.duplicate": {"vi": "Mã này đã có, hãy chọn mã khác.", "en": "This code is taken."},
        "form.code_pattern": {
            "vi": "Chỉ dùng chữ không dấu, số và dấu gạch ngang.",
            "en": "Use letters without accents, digits and hyphens only.",
        },
        "form.pattern": {
            "vi": "Có ký tự không được phép.",
            "en": "Contains characters not allowed.",
        },
        "form.phone": {
            "vi": "Số điện thoại chỉ gồm chữ số và các dấu + ( ) - .",
            "en": "A phone number has digits and + ( ) - . only.",
        },
        "form.period_order": {
            "vi": "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.",
            "en": "The end must be on or after the start.",
        },
        "form.review_before_period": {
            "vi": "Ngày đánh giá không được trước ngày bắt đầu kỳ.",
            "en": "A review cannot take place before its period starts.",
        },
        "form.unknown_camera": {
            "vi": "Không có camera mã: {codes}.",
            "en": "No camera with code: {codes}.",
        },
    }
)

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_decimal(text: str) -> float:
    """A number as people type it here: decimal point or comma, spaces ignored (ValueError)."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"not a number: {text!r}")
    return float(cleaned.replace(",", "."))


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class FormErrors:
    """Problems of one submitted form, one message per field, in the page's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.fields: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def get(self, name: str) -> str:
        """The message of a field ('' when it is fine)."""
        return self.fields.get(name, "")

    @property
    def summary(self) -> str:
        """The line shown above the form."""
        return i18n.t("form.fix_below", self.lang)

    def add(self, name: str, key: str, **values: Any) -> None:
        """Note a problem of a field (the first one noted for a field is kept)."""
        if name not in self.fields:
            text = i18n.t(key, self.lang)
            self.fields[name] = text.format(**{k: _fmt(v) for k, v in values.items()})

    def number(
        self,
        name: str,
        text: str,
        *,
        low: float | None = None,
        high: float | None = None,
        required: bool = False,
    ) -> float | None:
        """A decimal field (point or comma) within [low, high]; None when empty or wrong."""
        if not text.strip():
            if required:
                self.add(name, "form.required")
            return None
        try:
            value = parse_decimal(text)
        except ValueError:
            self.add(name, "form.number")
            return None
        return value if self._within(name, value, low, high) else None

    def integer(
        self, name: str, text: str, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        """A whole-number field within [low, high]; None when empty or wrong."""
        if not text.strip():
            self.add(name, "form.required")
            return None
        try:
            value = int(text.strip())
        except ValueError:
            self.add(name, "form.integer")
            return None
        return value if self._within(name, value, low, high) else None

    def day(self, name: str, text: str, *, required: bool = True) -> date | None:
        """A date field (YYYY-MM-DD as date inputs send it); None when empty or wrong."""
        if not text.strip():
            if required:
                self.add(name, "form.required")
            return None
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            self.add(name, "form.date")
            return None

    def _within(self, name: str, value: float, low: float | None, high: float | None) -> bool:
        if low is not None and high is not None and not low <= value <= high:
            self.add(name, "form.between", low=low, high=high)
            return False
        if low is not None and value < low:
            self.add(name, "form.at_least", low=low)
            return False
        if high is not None and value > high:
            self.add(name, "form.at_most", high=high)
            return False
        return True

    def from_validation(
        self,
        exc: ValidationError,
        *,
        messages: dict[str, tuple[str, str]] | None = None,
        patterns: dict[str, str] | None = None,
    ) -> None:
        """Translate a pydantic error into field messages.

        `messages` maps a fragment of a whole-model validator's English message to the
        (field, i18n key) it belongs to, e.g.
        {"period must end": ("period_end", "form.period_order")};
        `patterns` names the i18n key for a field whose text does not match its pattern.
        """
        for error in exc.errors():
            loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
            name = loc[0] if loc else ""
            kind = error.get("type", "")
            ctx = error.get("ctx") or {}
            if not name:
                for fragment, (field, key) in (messages or {}).items():
                    if fragment in error.get("msg", ""):
                        self.add(field, key)
                        break
                else:
                    self.add("", "form.invalid")
            elif kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
                self.add(name, "form.required")
            elif kind == "string_too_long":
                self.add(name, "form.too_long", max=ctx.get("max_length", ""))
            elif kind in ("greater_than_equal", "greater_than"):
                self.add(name, "form.at_least", low=ctx.get("ge", ctx.get("gt", "")))
            elif kind in ("less_than_equal", "less_than"):
                self.add(name, "form.at_most", high=ctx.get("le", ctx.get("lt", "")))
            elif kind in ("float_parsing", "float_type"):
                self.add(name, "form.number")
            elif kind in ("int_parsing", "int_type", "int_from_float"):
                self.add(name, "form.integer")
            elif kind.startswith("date"):
                self.add(name, "form.date")
            elif kind in ("enum", "literal_error"):
                self.add(name, "form.choice")
            elif kind == "string_pattern_mismatch":
                self.add(name, (patterns or {}).get(name, "form.pattern"))
            else:
                self.add(name, "form.invalid")
