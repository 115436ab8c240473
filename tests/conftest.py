"""pytest configuration for the microneedling_treatment suite.

A skipped test is a test that did not run: here it fails the run instead of
hiding, so a browser test can never pass silently without a browser.
"""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped tests fail this suite; skip reason: {reason}"


def pytest_collection(session):
    # Test modules import odoo.tests, which logs an ERROR outside test mode.
    import odoo

    odoo.tools.config["test_enable"] = True


def pytest_collection_finish(session):
    # pytest-odoo loads the registry next: in test mode that would also run
    # every installed module's at_install suite.
    import odoo

    odoo.tools.config["test_enable"] = False
