from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install", "microneedling")
class MicroneedlingCase(TransactionCase):
    """Shared fixtures: one user per microneedling role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_receptionist = new_test_user(
            cls.env,
            login="mn_receptionist",
            groups="microneedling_treatment.group_receptionist",
            name="Rita Receptionist",
        )
        cls.user_practitioner = new_test_user(
            cls.env,
            login="mn_practitioner",
            groups="microneedling_treatment.group_practitioner",
            name="Paula Practitioner",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="mn_manager",
            groups="microneedling_treatment.group_manager",
            name="Manuel Manager",
        )
        cls.user_employee = new_test_user(
            cls.env, login="mn_employee", groups="base.group_user", name="Erin Employee"
        )
