import importlib.util
import pathlib
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError

from .common import NOW, MicroneedlingCase

MIGRATIONS = pathlib.Path(__file__).resolve().parent.parent / "microneedling_treatment/migrations"


def migration(version, stage):
    """The module of an upgrade script (its file name is no Python module name)."""
    path = MIGRATIONS / version / f"{stage}-migration.py"
    spec = importlib.util.spec_from_file_location(f"mn_{stage}_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ProtocolAuditCase(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_admin = cls.env.ref("base.user_admin")
        cls.Step = cls.env["microneedling.aftercare.step"]
        cls.Message = cls.env["mail.message"]

    def flush_tracking(self):
        """Tracking values are written at commit time: write them now."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def tracked(self, record):
        """{field name: (old, new, author)} of the tracking messages of `record`."""
        messages = self.Message.sudo().search(
            [("model", "=", record._name), ("res_id", "=", record.id)]
        )
        changes = {}
        for message in messages:
            for change in message.tracking_value_ids._tracking_value_format():
                changes[change["fieldName"]] = (
                    change["oldValue"]["value"],
                    change["newValue"]["value"],
                    message.author_id,
                )
        return changes


@freeze_time(NOW)
class TestCatalogChangesAreTracked(ProtocolAuditCase):
    def test_contraindication_kind_and_window_changes_are_tracked(self):
        waxing = self.item("waxing").with_user(self.user_manager)
        self.assertEqual((waxing.window_value, waxing.window_unit), (14, "days"))
        waxing.write({"window_value": 10})
        waxing.write({"window_unit": "hours"})
        herpes = self.item("herpes_prone").with_user(self.user_manager)
        herpes.write({"kind": "window", "window_value": 36})
        self.flush_tracking()
        manager = self.user_manager.partner_id
        self.assertEqual(
            self.tracked(waxing),
            {"window_value": (14, 10, manager), "window_unit": ("Days", "Hours", manager)},
        )
        changes = self.tracked(herpes)
        self.assertEqual(changes["kind"], ("Practitioner Review", "Time Window", manager))
        self.assertEqual(changes["window_value"], (0, 36, manager))
        message = self.Message.sudo().search(
            [
                ("model", "=", herpes._name),
                ("res_id", "=", herpes.id),
                ("tracking_value_ids", "!=", False),
            ]
        )
        self.assertEqual(message.date, NOW)

    def test_aftercare_step_changes_are_tracked(self):
        step = self.env.ref("microneedling_treatment.aftercare_step_window_close")
        step.with_user(self.user_manager).write(
            {"offset": -2, "condition": "always", "active": False}
        )
        self.flush_tracking()
        manager = self.user_manager.partner_id
        changes = self.tracked(step)
        self.assertEqual(changes["offset"], (-4, -2, manager))
        self.assertEqual(
            changes["condition"], ("Series Has Sessions Left and None Booked", "Always", manager)
        )
        self.assertEqual(changes["active"], (True, False, manager))

    def test_only_managers_read_the_history(self):
        waxing = self.item("waxing")
        step = self.env.ref("microneedling_treatment.aftercare_step_12h")
        waxing.with_user(self.user_manager).window_value = 21
        step.with_user(self.user_manager).offset = 10
        self.flush_tracking()
        history = self.Message.sudo().search(
            [
                ("model", "in", (waxing._name, step._name)),
                ("res_id", "in", (waxing.id, step.id)),
                ("tracking_value_ids", "!=", False),
            ]
        )
        self.assertEqual(len(history), 2)
        domain = [("id", "in", history.ids)]
        self.assertEqual(self.Message.with_user(self.user_manager).search(domain), history)
        for user in (self.user_practitioner, self.user_receptionist):
            # They read the catalog itself, not who changed it.
            self.assertEqual(waxing.with_user(user).window_hours, 21 * 24)
            self.assertFalse(self.Message.with_user(user).search(domain), user.login)
            for message in history:
                with self.assertRaises(AccessError, msg=user.login):
                    message.with_user(user).read(["body"])
        # Other threads' messages are still theirs to read.
        note = self.client.message_post(body="Call back", message_type="comment")
        self.assertTrue(note.with_user(self.user_receptionist).read(["body"]))


@freeze_time(NOW)
class TestCompanySettingsAreLogged(ProtocolAuditCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["microneedling.protocol.log"]

    def save_settings(self, user, **values):
        settings = self.env["res.config.settings"].with_user(user).create(values)
        settings.execute()

    def test_settings_form_changes_are_logged_with_who_what_when(self):
        company = self.env.company
        self.save_settings(
            self.user_admin,
            microneedling_min_interval_days=30,
            microneedling_quiet_start=22.5,
            microneedling_sms_enabled=True,
            microneedling_reception_user_id=self.user_receptionist.id,
        )
        logs = self.Log.with_user(self.user_manager).search([("company_id", "=", company.id)])
        self.assertEqual(
            {(log.setting, log.old_value, log.new_value) for log in logs},
            {
                ("microneedling_min_interval_days", "28", "30"),
                ("microneedling_quiet_start", "21:00", "22:30"),
                ("microneedling_sms_enabled", "No", "Yes"),
                ("microneedling_reception_user_id", "", "Rita Receptionist"),
            },
        )
        self.assertEqual(logs.user_id, self.user_admin)
        self.assertEqual(set(logs.mapped("date")), {NOW})
        labels = dict(logs._fields["setting"]._description_selection(logs.env))
        self.assertEqual(labels["microneedling_quiet_start"], "Quiet Hours From")
        # Saving the form again with nothing changed logs nothing.
        self.save_settings(self.user_admin, microneedling_min_interval_days=30)
        self.assertEqual(self.Log.search_count([("company_id", "=", company.id)]), 4)

    def test_a_change_from_code_or_import_is_logged_too(self):
        self.env.company.with_user(self.user_admin).microneedling_overdue_days = 50
        log = self.Log.search([("setting", "=", "microneedling_overdue_days")])
        self.assertEqual((log.old_value, log.new_value, log.user_id), ("42", "50", self.user_admin))

    def test_a_refused_change_leaves_no_log(self):
        with self.assertRaisesRegex(ValidationError, "Enter a number of days from 28"):
            self.save_settings(self.user_admin, microneedling_min_interval_days=7)
        self.assertFalse(self.Log.search([]))

    def test_only_managers_read_the_log_and_nobody_edits_it(self):
        self.save_settings(self.user_admin, microneedling_confirmation_days=5)
        log = self.Log.search([])
        self.assertEqual(len(log), 1)
        for user in (self.user_practitioner, self.user_receptionist, self.user_employee):
            with self.assertRaises(AccessError, msg=user.login):
                log.with_user(user).read(["new_value"])
        as_manager = log.with_user(self.user_manager)
        self.assertEqual(as_manager.new_value, "5")
        with self.assertRaises(AccessError):
            as_manager.write({"new_value": "7"})
        with self.assertRaises(AccessError):
            as_manager.unlink()
        with self.assertRaises(AccessError):
            self.Log.with_user(self.user_manager).create(
                {"company_id": self.env.company.id, "setting": "microneedling_overdue_days"}
            )

    def test_a_manager_sees_the_log_of_their_companies_only(self):
        other = self.env["res.company"].create({"name": "Second Spa"})
        other.with_user(self.user_admin).microneedling_overdue_days = 60
        self.env.company.with_user(self.user_admin).microneedling_overdue_days = 45
        logs = self.Log.with_user(self.user_manager).search([])
        self.assertEqual(logs.company_id, self.env.company)
        self.assertEqual(self.Log.search_count([]), 2)

    def test_the_log_is_in_the_managers_configuration_menu(self):
        menu = self.env.ref("microneedling_treatment.menu_protocol_log")
        self.assertEqual(menu.parent_id, self.env.ref("microneedling_treatment.menu_configuration"))
        visible = self.env["ir.ui.menu"].with_user(self.user_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        hidden = self.env["ir.ui.menu"].with_user(self.user_practitioner)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden)


@freeze_time(NOW)
class TestWindowsInDaysOrHours(ProtocolAuditCase):
    def test_a_window_in_days_or_hours_is_the_duration_the_rules_use(self):
        self.screen(self.client, {"waxing": NOW - timedelta(days=1)})
        self.assertEqual(self.client.microneedling_clearance_state, "blocked")
        self.assertEqual(
            self.client.microneedling_blocked_until, NOW - timedelta(days=1) + timedelta(days=14)
        )
        waxing = self.item("waxing").with_user(self.user_manager)
        waxing.write({"window_value": 36, "window_unit": "hours"})
        self.assertEqual(waxing.window_hours, 36)
        self.env.invalidate_all()
        self.assertEqual(
            self.client.microneedling_blocked_until, NOW - timedelta(days=1) + timedelta(hours=36)
        )
        waxing.write({"window_unit": "days"})  # 36 days
        self.assertEqual(waxing.window_hours, 36 * 24)
        waxing.write({"window_value": 12, "window_unit": "hours"})
        self.env.invalidate_all()
        self.assertEqual(self.client.microneedling_clearance_state, "cleared")

    def test_new_item_entered_in_days(self):
        item = self.Contraindication.with_user(self.user_manager).create(
            {
                "name": "Chemical peel",
                "code": "peel",
                "question": "Peel?",
                "kind": "window",
                "window_value": 2,
                "window_unit": "days",
            }
        )
        self.assertEqual(item.window_hours, 48)
        self.assertEqual(item._window_label(), "2 days")

    def test_hours_written_directly_keep_working(self):
        """Data files, imports and integrations send window_hours: the unit follows."""
        waxing = self.item("waxing").with_user(self.user_manager)
        waxing.window_hours = 240
        self.assertEqual((waxing.window_value, waxing.window_unit), (10, "days"))
        self.assertEqual(waxing._window_label(), "10 days")
        waxing.window_hours = 30
        self.assertEqual((waxing.window_value, waxing.window_unit), (30, "hours"))
        self.assertEqual(waxing._window_label(), "30 h")
        retinol = self.item("retinol_exfoliants")  # 72 h: not whole days beyond 72 h
        self.assertEqual((retinol.window_value, retinol.window_unit), (72, "hours"))

    def test_out_of_range_days_are_refused_with_the_fix(self):
        waxing = self.item("waxing").with_user(self.user_manager)
        with self.assertRaisesRegex(
            ValidationError,
            r"Waxing.*Window of 366 days \(Window \(Hours\) = 8784\).*"
            r"from 1 to 8760 hours, or from 1 to 365 days",
        ):
            waxing.write({"window_value": 366})
        with self.assertRaisesRegex(ValidationError, r"Window of 0 days.*from 1 to 365 days"):
            waxing.write({"window_value": 0})
        with self.assertRaisesRegex(ValidationError, r"Window of -2 days.*from 0 to 365 days"):
            self.item("keloid").with_user(self.user_manager).write(
                {"window_value": -2, "window_unit": "days"}
            )
        self.assertEqual((waxing.window_value, waxing.window_hours), (14, 336))

    def test_the_form_shows_the_window_with_its_unit(self):
        arch = self.Contraindication.get_view(view_type="form")["arch"]
        for name in ("window_value", "window_unit", "kind"):
            self.assertIn(f'name="{name}"', arch)
        self.assertIn("<chatter", self.Step.get_view(view_type="form")["arch"] + arch)


class TestWindowMigration(ProtocolAuditCase):
    def test_upgrade_keeps_every_window_and_shows_it_as_before(self):
        """18.0.1.1.0 stored hours only; whole days beyond 72 h were shown in days."""
        custom = self.Contraindication.create(
            {
                "name": "Laser",
                "code": "laser",
                "question": "?",
                "kind": "window",
                "window_hours": 30,
            }
        )
        items = {
            "waxing": (336, 14, "days"),
            "retinol_exfoliants": (72, 72, "hours"),
            "recent_procedure": (672, 28, "days"),
            "keloid": (0, 0, "days"),
        }
        self.env.flush_all()
        # The state before the upgrade: hours only (a NULL for items without a window).
        self.env.cr.execute(
            "UPDATE microneedling_contraindication SET window_value = NULL, "
            "window_hours = NULLIF(window_hours, 0)"
        )
        migration("18.0.1.2.0", "pre").migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        for code, (hours, value, unit) in items.items():
            item = self.item(code)
            self.assertEqual(
                (item.window_hours, item.window_value, item.window_unit), (hours, value, unit), code
            )
        self.assertEqual((custom.window_value, custom.window_unit), (30, "hours"))
        self.assertEqual(self.item("waxing")._window_label(), "14 days")
        self.assertEqual(self.item("retinol_exfoliants")._window_label(), "72 h")


@freeze_time(NOW)
class TestAftercareNeverBeforeDone(ProtocolAuditCase):
    def test_done_anchor_with_a_negative_offset_is_refused(self):
        step = self.env.ref("microneedling_treatment.aftercare_step_12h").with_user(
            self.user_manager
        )
        with self.assertRaisesRegex(
            ValidationError,
            r"Antioxidant serum cannot run before the session is done.*Enter 0 or more",
        ):
            step.write({"offset": -1})
        self.assertEqual(step.offset, 12)

    def test_window_anchor_offset_reaching_before_done_is_refused(self):
        """Window opens = 28 days after the session: 28 days before it is the session."""
        step = self.env.ref("microneedling_treatment.aftercare_step_window_open").with_user(
            self.user_manager
        )
        step.write({"offset": -28, "offset_unit": "days"})
        step.write({"offset": -672, "offset_unit": "hours"})
        with self.assertRaisesRegex(
            ValidationError,
            r"step Invitation to book the next session would run before the session is "
            r"done: "
            r"Next-Session Window Opens comes 28 days after the session at YourCompany "
            r"\(Minimum Days Between Sessions\), and its Offset is -673 hours\. "
            r"Enter an Offset of at least -672 hours",
        ):
            step.write({"offset": -673})
        with self.assertRaisesRegex(ValidationError, r"at least -42 days"):
            step.write({"anchor": "window_close", "offset": -43, "offset_unit": "days"})
        self.assertEqual(
            (step.anchor, step.offset, step.offset_unit), ("window_open", -672, "hours")
        )

    def test_lowering_the_window_setting_under_a_step_is_refused(self):
        self.env.company.microneedling_min_interval_days = 35
        step = self.env.ref("microneedling_treatment.aftercare_step_window_open")
        step.with_user(self.user_manager).write({"offset": -30, "offset_unit": "days"})
        with self.assertRaisesRegex(ValidationError, r"book the next session would run before"):
            self.env.company.microneedling_min_interval_days = 28
        self.assertEqual(self.env.company.microneedling_min_interval_days, 35)

    def test_unarchiving_a_step_that_would_run_before_done_is_refused(self):
        step = self.Step.with_user(self.user_manager).create(
            {
                "name": "Too early",
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "anchor": "window_open",
                "offset": -1,
                "offset_unit": "days",
                "active": False,
            }
        )
        step.offset = -40  # archived: it runs for nobody
        with self.assertRaisesRegex(ValidationError, "Too early would run before"):
            step.active = True
