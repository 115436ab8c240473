"""Context flags only server code can raise.

A flag whose value is this module's token can't come from a client: RPC
contexts are JSON, and JSON can't produce this Python object. Writes that
only the addon's own actions may do (sync, screening state, clearances)
check for it instead of trusting a plain context key.
"""

TOKEN = object()
SYNC = "microneedling_event_sync"
TRUSTED = "microneedling_trusted_write"
# Messages posted under this flag are practitioner-only (see mail_message.py).
CLINICAL = "microneedling_clinical_post"


def flag(key):
    """Context values raising the flag `key`."""
    return {key: TOKEN}


def is_raised(env, key):
    return env.context.get(key) is TOKEN
