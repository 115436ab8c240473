from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "microneedling")
class TestReportTour(HttpCase):
    def test_manager_sees_reporting_and_dashboard(self):
        new_test_user(
            self.env,
            login="tour_manager",
            password="tour_manager",
            groups="microneedling_treatment.group_manager",
            name="Tour Manager",
        )
        self.start_tour("/odoo", "microneedling_report_manager_tour", login="tour_manager")

    def test_receptionist_has_no_reporting(self):
        new_test_user(
            self.env,
            login="tour_receptionist_report",
            password="tour_receptionist_report",
            groups="microneedling_treatment.group_receptionist",
        )
        self.start_tour(
            "/odoo", "microneedling_report_receptionist_tour", login="tour_receptionist_report"
        )
