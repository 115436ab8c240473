"""Context flags only server code can raise.

A flag whose value is this module's token can't come from a client: RPC
contexts are JSON, and JSON can't produce this Python object. Writes that
only the addon's own actions may do (sync, screening state, clearances)
check for it instead of trusting a plain context key.
"""

from odoo import _
from odoo.exceptions import AccessError

TOKEN = object()
SYNC = "microneedling_event_sync"
TRUSTED = "microneedling_trusted_write"
# Messages posted under this flag are practitioner-only (see mail_message.py).
CLINICAL = "microneedling_clinical_post"
# Raised by the history import only (wizard/microneedling_import_wizard.py): the done
# sessions it records took place in another system; see MicroneedlingSession's hooks.
HISTORY = "microneedling_history_import"


def flag(key):
    """Context values raising the flag `key`."""
    return {key: TOKEN}


def is_raised(env, key):
    return env.context.get(key) is TOKEN


def check_derived_values(model, vals_list):
    """Refuse values for the fields the ORM derives (readonly related or computed
    fields without an inverse): written straight into their columns, they would contradict the
    data they come from (a session's client is its series' client, a series'
    state follows its sessions) and no rule would look at them again."""
    if model.env.su:
        return
    derived = {
        name
        for vals in vals_list
        for name in vals
        if name in model._fields
        and model._fields[name].compute
        and model._fields[name].readonly
        and not model._fields[name].inverse
        and name != "display_name"
    }
    if derived:
        labels = sorted(model._fields[name]._description_string(model.env) for name in derived)
        raise AccessError(
            _(
                "%(fields)s of %(model)s follow from other data and cannot be set directly: "
                "change the data they come from instead.",
                fields=", ".join(labels),
                model=model.env["ir.model"]._get(model._name).name,
            )
        )
