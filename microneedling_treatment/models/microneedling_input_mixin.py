"""Refuse malformed field values before the ORM converts them.

The ORM converts what a form, an import or an RPC client sends leniently and
late: "abc" for a many-to-one silently empties it on write but is a SQL error
on create, "2026-02-30" is a Python ValueError, 2**31 a PostgreSQL overflow,
"no" for a boolean is saved as True. check_input() checks every value against
its field's type first and refuses the whole call with one translated
ValidationError naming each field, the bad value and the fix, so nothing is
half-saved. Domain ranges (days, hours, offsets) stay constraints of the
models that own the data.
"""

import math
import re
from collections import defaultdict
from datetime import date, datetime

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.models import LOG_ACCESS_COLUMNS, BaseModel

# Dates outside these years are typing mistakes (0001, 9999), and date arithmetic
# near Python's limits (year 1 and 9999) overflows.
MIN_YEAR = 1900
MAX_YEAR = 2200
# PostgreSQL int4, the column type of Integer fields and of record ids.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
# No quantity this addon stores comes near: a million billion.
FLOAT_LIMIT = 1e15
# Odoo's server formats: date, and date with hours and minutes, or with seconds.
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?")
# The ORM drops these from create/write values itself.
IGNORED_FIELDS = frozenset({"id", "parent_path", *LOG_ACCESS_COLUMNS})
# Types where False is a value (0, no), not an empty required field.
VALUED_FALSE_TYPES = frozenset({"boolean", "integer", "float", "monetary"})
SHOWN_LENGTH = 60


class MicroneedlingInputMixin(models.AbstractModel):
    _name = "microneedling.input.mixin"
    _description = "Microneedling Input Checks"

    # A model whose own create/write prepares or guards the values before calling
    # super() sets this and calls _check_input_values first itself: the values are
    # then checked before its code reads them, and only once.
    _input_checked_by_model = False

    @api.model_create_multi
    def create(self, vals_list):
        if not self._input_checked_by_model:
            self._check_input_values(vals_list, "create")
        return super().create(vals_list)

    def write(self, vals):
        if not self._input_checked_by_model and self:
            self._check_input_values([vals], "write")
        return super().write(vals)

    def _check_input_values(self, vals_list, operation):
        if vals_list:
            # Access comes first: who may not create learns that, not what was wrong.
            self.browse().check_access(operation)
            check_input(self, vals_list, check_field_access=True)


def check_input(model, vals_list, fnames=None, check_field_access=False):
    """Raise one ValidationError listing every malformed value of vals_list.

    :param model: recordset of the model the values are for
    :param vals_list: list of create/write value dicts
    :param fnames: only check these fields (None: every field in the values)
    :param check_field_access: first raise AccessError for fields the user may
        not write (the ORM checks that on write only, and after converting)
    """
    problems = []
    references = defaultdict(set)  # {comodel name: ids that must exist}
    pending = []  # [(many2one or x2many field, id)] in the order met
    for vals in vals_list:
        if not isinstance(vals, dict):
            problems.append(
                model.env._(
                    "%(model)s: %(value)s is not a set of field values. Send a dictionary "
                    "of field names and values.",
                    model=_model_label(model.env, model._name),
                    value=_shown(vals),
                )
            )
            continue
        names = [name for name in vals if name not in IGNORED_FIELDS]
        if fnames is not None:
            names = [name for name in names if name in fnames]
        unknown = [name for name in names if name not in model._fields]
        for name in unknown:
            problems.append(
                model.env._(
                    "%(model)s has no field %(name)s: check the field's technical name.",
                    model=_model_label(model.env, model._name),
                    name=_shown(name),
                )
            )
        known = [name for name in names if name in model._fields]
        if check_field_access:
            model.check_field_access_rights("write", known)
        for name in known:
            field = model._fields[name]
            value = vals[name]
            problem, ids = _check_value(model, field, value)
            if problem:
                problems.append(problem)
            for id_ in ids:
                references[field.comodel_name].add(id_)
                pending.append((field, id_))
    missing = {
        comodel: ids - set(model.env[comodel].sudo().browse(ids).exists().ids)
        for comodel, ids in references.items()
    }
    for field, id_ in pending:
        if id_ in missing[field.comodel_name]:
            problems.append(
                model.env._(
                    "%(field)s (%(model)s): there is no %(target)s record with id %(value)s. "
                    "Choose an existing record.",
                    **_labels(model, field),
                    target=_model_label(model.env, field.comodel_name),
                    value=id_,
                )
            )
    if problems:
        raise ValidationError("\n".join(dict.fromkeys(problems)))


# ------------------------------------------------------------
# TOOLS
# ------------------------------------------------------------


def _check_value(model, field, value):
    """(problem text or None, ids of the field's comodel that must exist)."""
    if isinstance(value, BaseModel):
        empty = not value
    else:
        empty = value is None or value is False or value == ""
    if field.required and field.type not in VALUED_FALSE_TYPES and empty:
        return (
            model.env._(
                "%(field)s (%(model)s) is required: it cannot be emptied. Enter a value.",
                **_labels(model, field),
            ),
            (),
        )
    checker = CHECKERS.get(field.type)
    if checker is None or value is None:
        return None, ()
    return checker(model, field, value)


def _check_date(model, field, value):
    with_time = field.type == "datetime"
    if value is False:
        return None, ()
    parsed = None
    if isinstance(value, date):
        if isinstance(value, datetime) and value.tzinfo:
            return (
                model.env._(
                    "%(field)s (%(model)s): %(value)s carries a time zone. Send the time in "
                    "UTC without a time zone, such as 2026-12-31 14:30:00.",
                    **_labels(model, field),
                    value=_shown(value),
                ),
                (),
            )
        parsed = value
    elif isinstance(value, str):
        pattern = DATETIME_PATTERN if with_time else DATE_PATTERN
        if pattern.fullmatch(value):
            formats = {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S"}
            try:
                parsed = datetime.strptime(value, formats[len(value)])
            except ValueError:  # 30 February, 25 o'clock
                parsed = None
    if parsed is None:
        if with_time:
            message = model.env._(
                "%(field)s (%(model)s): %(value)s is not a date and time. Write it "
                "year-month-day hour:minute:second in UTC, such as 2026-12-31 14:30:00.",
                **_labels(model, field),
                value=_shown(value),
            )
        else:
            message = model.env._(
                "%(field)s (%(model)s): %(value)s is not a date. Write it year-month-day, "
                "such as 2026-12-31.",
                **_labels(model, field),
                value=_shown(value),
            )
        return message, ()
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is outside the years %(first)s-%(last)s. "
                "Enter a date in those years, such as 2026-12-31.",
                **_labels(model, field),
                value=_shown(value),
                first=MIN_YEAR,
                last=MAX_YEAR,
            ),
            (),
        )
    return None, ()


def _check_integer(model, field, value):
    if value is False:
        return None, ()
    whole = type(value) is int or (
        type(value) is float and math.isfinite(value) and value.is_integer()
    )
    if not whole:
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is not a whole number. Enter a whole "
                "number such as 7.",
                **_labels(model, field),
                value=_shown(value),
            ),
            (),
        )
    if not INT_MIN <= value <= INT_MAX:
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is out of range. Enter a whole number "
                "from %(low)s to %(high)s.",
                **_labels(model, field),
                value=_shown(value),
                low=INT_MIN,
                high=INT_MAX,
            ),
            (),
        )
    return None, ()


def _check_float(model, field, value):
    if value is False:
        return None, ()
    if type(value) not in (int, float):
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is not a number. Enter a number such as 1.5.",
                **_labels(model, field),
                value=_shown(value),
            ),
            (),
        )
    if not math.isfinite(value):
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is not a finite number. Enter a number "
                "such as 1.5.",
                **_labels(model, field),
                value=_shown(value),
            ),
            (),
        )
    digits = field.type == "float" and field.get_digits(model.env)
    # A (precision, scale) pair bounds the value; larger ones would not round-trip.
    limit = min(10.0 ** (digits[0] - digits[1]), FLOAT_LIMIT) if digits else FLOAT_LIMIT
    if abs(value) >= limit:
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is out of range. Enter a number between "
                "-%(limit)s and %(limit)s.",
                **_labels(model, field),
                value=_shown(value),
                limit=f"{limit:.0f}",
            ),
            (),
        )
    return None, ()


def _check_boolean(model, field, value):
    # 0 and 1 come from XML data files (eval="1") and older clients.
    if type(value) is bool or (type(value) is int and value in (0, 1)):
        return None, ()
    return (
        model.env._(
            "%(field)s (%(model)s): %(value)s is not true or false. Send true or false.",
            **_labels(model, field),
            value=_shown(value),
        ),
        (),
    )


def _check_selection(model, field, value):
    if value is False:
        return None, ()
    keys = field.get_values(model.env)
    if value in keys:
        return None, ()
    labels = dict(field._description_selection(model.env))
    return (
        model.env._(
            "%(field)s (%(model)s): %(value)s is not one of its choices. Use one of: "
            "%(choices)s.",
            **_labels(model, field),
            value=_shown(value),
            choices=", ".join(f"{key} ({labels.get(key, key)})" for key in keys),
        ),
        (),
    )


def _check_text(model, field, value):
    if value is False:
        return None, ()
    if not isinstance(value, str):
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is not text. Send a text, or false to "
                "leave it empty.",
                **_labels(model, field),
                value=_shown(value),
            ),
            (),
        )
    if "\x00" in value:
        return (
            model.env._(
                "%(field)s (%(model)s): the text contains a NUL character (\\x00), which "
                "cannot be stored. Remove it.",
                **_labels(model, field),
            ),
            (),
        )
    return None, ()


def _is_id(value):
    return type(value) is int and 0 < value <= INT_MAX


def _check_many2one(model, field, value):
    if value is False:
        return None, ()
    if isinstance(value, BaseModel):
        if value._name == field.comodel_name and len(value) <= 1:
            return None, ()
    elif _is_id(value):
        return None, (value,)
    return (
        model.env._(
            "%(field)s (%(model)s): %(value)s is not a reference to a %(target)s record. "
            "Send the record's id (a whole number), or false to leave it empty.",
            **_labels(model, field),
            value=_shown(value),
            target=_model_label(model.env, field.comodel_name),
        ),
        (),
    )


def _x2many_ids(value):
    """Ids a list of x2many commands or ids refers to, or None if it is not one."""
    if isinstance(value, tuple) or (value and not isinstance(value[0], list | tuple)):
        return list(value) if all(_is_id(item) for item in value) else None
    ids = []
    for command in value:
        if not isinstance(command, list | tuple) or not command:
            return None
        code = command[0]
        if code in (Command.CREATE, Command.UPDATE) and not (
            len(command) == 3 and isinstance(command[2], dict)
        ):
            return None
        if code in (Command.UPDATE, Command.DELETE, Command.UNLINK, Command.LINK):
            if len(command) < 2 or not _is_id(command[1]):
                return None
            ids.append(command[1])
        elif code == Command.SET:
            if len(command) != 3 or not isinstance(command[2], list | tuple):
                return None
            if not all(_is_id(item) for item in command[2]):
                return None
            ids.extend(command[2])
        elif code not in (Command.CREATE, Command.CLEAR):
            return None
    return ids


def _check_x2many(model, field, value):
    # Values of created or updated lines go through the comodel's own create/write.
    if value is False:
        return None, ()
    if isinstance(value, BaseModel):
        ids = [] if value._name == field.comodel_name else None
    elif isinstance(value, list | tuple):
        ids = _x2many_ids(value)
    else:
        ids = None
    if ids is None:
        return (
            model.env._(
                "%(field)s (%(model)s): %(value)s is not a list of %(target)s records. Send "
                "a list of ids, or of commands such as [(4, 7)] (Odoo's Command).",
                **_labels(model, field),
                value=_shown(value),
                target=_model_label(model.env, field.comodel_name),
            ),
            (),
        )
    return None, ids


CHECKERS = {
    "date": _check_date,
    "datetime": _check_date,
    "integer": _check_integer,
    "float": _check_float,
    "monetary": _check_float,
    "boolean": _check_boolean,
    "selection": _check_selection,
    "char": _check_text,
    "text": _check_text,
    "html": _check_text,
    "many2one": _check_many2one,
    "one2many": _check_x2many,
    "many2many": _check_x2many,
}


def _labels(model, field):
    """The field's label and the model's name, in the user's language."""
    return {
        "field": field._description_string(model.env),
        "model": _model_label(model.env, model._name),
    }


def _model_label(env, model_name):
    return env["ir.model"]._get(model_name).sudo().name or model_name


def _shown(value):
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
