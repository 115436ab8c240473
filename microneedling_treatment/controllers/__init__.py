from . import screening
