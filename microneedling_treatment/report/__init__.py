from . import microneedling_series_report
