from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "microneedling")
class TestMenuTour(HttpCase):
    def test_receptionist_opens_microneedling_menu(self):
        new_test_user(
            self.env,
            login="tour_receptionist",
            password="tour_receptionist",
            groups="microneedling_treatment.group_receptionist",
        )
        self.start_tour("/odoo", "microneedling_menu_tour", login="tour_receptionist")
