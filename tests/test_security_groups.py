from .common import MicroneedlingCase


class TestSecurityGroups(MicroneedlingCase):
    def test_group_hierarchy(self):
        """Manager implies practitioner implies receptionist implies internal user."""
        manager = self.user_manager
        self.assertTrue(manager.has_group("microneedling_treatment.group_practitioner"))
        self.assertTrue(manager.has_group("microneedling_treatment.group_receptionist"))
        practitioner = self.user_practitioner
        self.assertTrue(practitioner.has_group("microneedling_treatment.group_receptionist"))
        self.assertFalse(practitioner.has_group("microneedling_treatment.group_manager"))
        receptionist = self.user_receptionist
        self.assertTrue(receptionist.has_group("base.group_user"))
        self.assertFalse(receptionist.has_group("microneedling_treatment.group_practitioner"))

    def test_groups_share_one_application_category(self):
        groups = (
            self.env.ref("microneedling_treatment.group_receptionist")
            | self.env.ref("microneedling_treatment.group_practitioner")
            | self.env.ref("microneedling_treatment.group_manager")
        )
        category = self.env.ref("microneedling_treatment.module_category_microneedling")
        self.assertEqual(groups.category_id, category)

    def test_root_menu_visible_to_roles_only(self):
        menu = self.env.ref("microneedling_treatment.menu_root")
        for user in (self.user_receptionist, self.user_practitioner, self.user_manager):
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertIn(menu.id, visible, f"{user.login} should see the Microneedling menu")
        hidden = self.env["ir.ui.menu"].with_user(self.user_employee)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden, "a plain employee must not see the Microneedling menu")
