from . import microneedling_session_override_wizard
from . import microneedling_answer_clearance_wizard
from . import microneedling_book_next_wizard
from . import microneedling_import_column
from . import microneedling_import_wizard
from . import microneedling_side_effect_wizard
from . import microneedling_series_start_wizard
