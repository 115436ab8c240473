from odoo.tests import tagged

from .test_portal_screening import ScreeningLinkCase


@tagged("post_install", "-at_install", "microneedling")
class TestScreeningTour(ScreeningLinkCase):
    """A client fills in the screening on a phone, without an account."""

    browser_size = "390x844"
    touch_enabled = True

    def test_public_visitor_fills_in_on_a_phone(self):
        url = self.url_of(self.link_a)
        previous = self.intakes(self.client_a)
        self.start_tour(url, "microneedling_screening_public_tour", login=None)
        intake = self.intakes(self.client_a) - previous
        self.assertEqual(len(intake), 1)
        self.assertTrue(intake.client_declared)
        self.assertEqual(intake.state, "submitted")
        self.assertEqual(intake.client_medications, "Vitamin D")
        self.assertTrue(intake.client_signature, "the drawn signature came with the form")
        waxing = self.env.ref("microneedling_treatment.contraindication_waxing")
        yes = intake.answer_ids.filtered(lambda a: a.answer == "yes")
        self.assertEqual(yes.contraindication_id, waxing)
        self.assertEqual(str(yes.last_occurrence.date()), "2020-01-15")
        self.assertEqual(self.link_a.state, "done")
