"""Write the Microneedling dashboard (spreadsheet JSON) from this description.

Usage: python tools/build_dashboard.py  (then update the addon to load it)
"""

import json
import pathlib

MODEL = "microneedling.series.report"
F_COHORT, F_USER, F_COMPANY = "mn-filter-cohort", "mn-filter-practitioner", "mn-filter-company"
MATCH = {
    F_COHORT: {"chain": "cohort_date", "type": "date", "offset": 0},
    F_USER: {"chain": "user_id", "type": "many2one"},
    F_COMPANY: {"chain": "company_id", "type": "many2one"},
}
COURSES = [["kind", "=", "course"]]
STARTED = COURSES + [["done_count", ">", 0]]


def pivot(pid, name, domain, measures):
    return {
        "type": "ODOO",
        "fieldMatching": MATCH,
        "context": {},
        "domain": domain,
        "id": pid,
        "measures": [{"id": m, "fieldName": m} for m in measures],
        "model": MODEL,
        "name": name,
        "sortedColumn": None,
        "formulaId": pid,
        "columns": [],
        "rows": [],
    }


pivots = {
    "1": pivot(
        "1",
        "KPI - Active courses",
        COURSES + [["outcome", "in", ["on_track", "overdue"]]],
        ["__count"],
    ),
    "2": pivot(
        "2",
        "KPI - Started courses",
        STARTED,
        [
            "__count",
            "completed",
            "dropped_out",
            "overdue",
            "interval_count",
            "on_cadence_count",
            "done_count",
            "rebooked_count",
        ],
    ),
}
data_cells = {}
rows = [
    ("Active courses", '=PIVOT.VALUE(1,"__count")'),
    ("Started courses", '=PIVOT.VALUE(2,"__count")'),
    ("Completed", '=PIVOT.VALUE(2,"completed")'),
    ("Dropped out", '=PIVOT.VALUE(2,"dropped_out")'),
    ("Overdue now", '=PIVOT.VALUE(2,"overdue")'),
    ("Intervals", '=PIVOT.VALUE(2,"interval_count")'),
    ("On cadence", '=PIVOT.VALUE(2,"on_cadence_count")'),
    ("Done sessions", '=PIVOT.VALUE(2,"done_count")'),
    ("Rebooked", '=PIVOT.VALUE(2,"rebooked_count")'),
]
for i, (label, formula) in enumerate(rows, start=1):
    data_cells[f"A{i}"] = {"content": f'=_t("{label}")'}
    data_cells[f"B{i}"] = {"content": formula}
# Rates are ratios of sums, never averages of rates.
kpis = [
    ("Active Courses", "=B1"),
    ("Completion Rate", "=IFERROR(B3/B2,0)"),
    ("Drop-out Rate", "=IFERROR(B4/B2,0)"),
    ("Overdue Now", "=B5"),
    ("On-cadence Rate", "=IFERROR(B7/B6,0)"),
    ("Rebooking Rate", "=IFERROR(B9/B8,0)"),
]
for i, (_label, formula) in enumerate(kpis, start=1):
    data_cells[f"C{i}"] = {"content": formula}

figures = []
for i, (label, _formula) in enumerate(kpis):
    figures.append(
        {
            "id": f"mn-kpi-{i + 1}",
            "x": (i % 3) * 330,
            "y": 12 + (i // 3) * 116,
            "width": 320,
            "height": 106,
            "tag": "chart",
            "data": {
                "type": "scorecard",
                "title": {"text": label, "bold": True, "color": "#434343"},
                "background": "#EFF6FF",
                "keyValue": f"Data!C{i + 1}",
                "baselineMode": "difference",
                "baselineColorUp": "#00A04A",
                "baselineColorDown": "#DC6965",
                "humanize": False,
            },
        }
    )


def chart(fid, y, title, groupby, measure, stacked):
    return {
        "id": fid,
        "x": 0,
        "y": y,
        "width": 1000,
        "height": 344,
        "tag": "chart",
        "data": {
            "title": {"text": title},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "metaData": {
                "groupBy": groupby,
                "measure": measure,
                "order": None,
                "resModel": MODEL,
                "mode": "bar",
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": STARTED,
                "groupBy": groupby,
                "orderBy": [],
            },
            "type": "odoo_bar",
            "verticalAxisPosition": "left",
            "stacked": stacked,
            "fieldMatching": MATCH,
        },
    }


figures.append(
    chart(
        "mn-chart-cohorts",
        260,
        "Course outcomes by cohort month",
        ["cohort_date:month", "outcome"],
        "__count",
        True,
    )
)
figures.append(
    chart(
        "mn-chart-practitioners",
        620,
        "Completion rate by practitioner (%)",
        ["user_id"],
        "completion_rate",
        False,
    )
)

doc = {
    "version": 21,
    "sheets": [
        {
            "id": "mn-dashboard",
            "name": "Dashboard",
            "colNumber": 7,
            "rowNumber": 60,
            "rows": {},
            "cols": {str(i): {"size": 150} for i in range(7)},
            "merges": [],
            "cells": {},
            "styles": {},
            "formats": {},
            "borders": {},
            "conditionalFormats": [],
            "figures": figures,
            "tables": [],
            "areGridLinesVisible": False,
            "isVisible": True,
            "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [],
            "comments": {},
        },
        {
            "id": "mn-data",
            "name": "Data",
            "colNumber": 10,
            "rowNumber": 20,
            "rows": {},
            "cols": {"0": {"size": 150}},
            "merges": [],
            "cells": data_cells,
            "styles": {},
            "formats": {"C2:C3": 1, "C5:C6": 1},
            "borders": {},
            "conditionalFormats": [],
            "figures": [],
            "tables": [],
            "areGridLinesVisible": True,
            "isVisible": True,
            "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [],
            "comments": {},
        },
    ],
    "styles": {},
    "formats": {"1": "0.0%"},
    "borders": {},
    "revisionId": "START_REVISION",
    "uniqueFigureIds": True,
    "settings": {
        "locale": {
            "name": "English (US)",
            "code": "en_US",
            "thousandsSeparator": ",",
            "decimalSeparator": ".",
            "dateFormat": "mm/dd/yyyy",
            "timeFormat": "hh:mm:ss",
            "formulaArgSeparator": ",",
            "weekStart": 7,
        }
    },
    "pivots": pivots,
    "pivotNextId": 3,
    "customTableStyles": {},
    "odooVersion": 12,
    "globalFilters": [
        {
            "id": F_COHORT,
            "type": "date",
            "label": "Cohort",
            "defaultValue": "last_year",
            "rangeType": "relative",
        },
        {
            "id": F_USER,
            "type": "relation",
            "label": "Practitioner",
            "modelName": "res.users",
            "defaultValue": [],
            "defaultValueDisplayNames": [],
            "rangeType": "year",
        },
        {
            "id": F_COMPANY,
            "type": "relation",
            "label": "Company",
            "modelName": "res.company",
            "defaultValue": [],
            "defaultValueDisplayNames": [],
            "rangeType": "year",
        },
    ],
    "lists": {},
    "listNextId": 1,
    "chartOdooMenusReferences": {
        "mn-chart-cohorts": "microneedling_treatment.menu_series_report",
        "mn-chart-practitioners": "microneedling_treatment.menu_series_report",
    },
}
OUT = (
    pathlib.Path(__file__).resolve().parent.parent
    / "microneedling_treatment/data/files/microneedling_dashboard.json"
)
OUT.write_text(json.dumps(doc, indent=1) + "\n")
