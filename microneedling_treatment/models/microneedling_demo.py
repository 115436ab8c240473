from datetime import datetime, time, timedelta

from odoo import api, fields, models

DEMO_CLIENTS = [
    # name, lang, story
    ("Olivia Bennett", "en_US", "on_track"),
    ("Lucía Fernández", "es_ES", "on_track"),
    ("Camille Laurent", "fr_FR", "overdue"),
    ("Jonas Becker", "de_DE", "completed"),
    ("Giulia Romano", "it_IT", "tune_up"),
    ("Beatriz Souza", "pt_BR", "new"),
    ("Emma Wilson", "en_US", "pregnant"),
    ("Sofía Martín", "es_ES", "retinol"),
    ("Chloé Moreau", "fr_FR", "review"),
    ("Lena Schmidt", "de_DE", "on_track"),
    ("Marco Bianchi", "it_IT", "on_track"),
    ("Ana Oliveira", "pt_BR", "on_track"),
    ("Grace Taylor", "en_US", "new"),
    ("Pablo Ruiz", "es_ES", "overdue"),
    ("Léa Girard", "fr_FR", "on_track"),
    ("Felix Wagner", "de_DE", "no_screening"),
    ("Sara Conti", "it_IT", "on_track"),
    ("Júlia Costa", "pt_BR", "completed"),
    ("Mia Johnson", "en_US", "on_track"),
    ("Carmen López", "es_ES", "new"),
]


class MicroneedlingSeries(models.Model):
    _inherit = "microneedling.series"

    @api.model
    def _demo_populate(self):
        """Demo clients in every situation, dated around today so the calendar is never empty."""
        env = self.env
        for lang in {lang for _name, lang, _story in DEMO_CLIENTS}:
            env["res.lang"]._activate_lang(lang)
        practitioners = env.ref("microneedling_treatment.demo_user_practitioner_ana") | env.ref(
            "microneedling_treatment.demo_user_practitioner_ben"
        )
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()

        def at(days, hour):
            # Demo times in UTC: 09:00-16:00 on the given day.
            return datetime.combine(today + timedelta(days=days), time(hour, 0))

        Session = env["microneedling.session"].with_context(mail_notify_force_send=False)
        for index, (name, lang, story) in enumerate(DEMO_CLIENTS):
            practitioner = practitioners[index // 2 % 2]
            partner = env["res.partner"].create(
                {
                    "name": name,
                    "lang": lang,
                    "email": name.lower().replace(" ", ".") + "@example.com",
                    "tz": "Europe/Paris",
                }
            )
            if story == "no_screening":
                self.create({"partner_id": partner.id, "user_id": practitioner.id})
                continue
            answers = {}
            if story == "pregnant":
                answers = {"pregnancy_nursing": True}
            elif story == "retinol":
                answers = {"retinol_exfoliants": now - timedelta(days=1)}
            elif story == "review":
                answers = {"herpes_prone": True}
            env["microneedling.intake"]._create_submitted(partner, answers, now - timedelta(days=3))
            hour = 9 + index % 7
            if story in ("pregnant", "review", "new"):
                series = self.create({"partner_id": partner.id, "user_id": practitioner.id})
                if story == "review":
                    # Pencilled in (not booked) while the practitioner reviews her answer.
                    Session.create(
                        {"series_id": series.id, "start": at(2, hour), "state": "planned"}
                    )
                continue
            if story == "retinol":
                series = self.create({"partner_id": partner.id, "user_id": practitioner.id})
                Session.create({"series_id": series.id, "start": at(4, hour)})
                continue
            done_weeks = {
                "on_track": [-10, -4 - index % 2],
                "overdue": [-13, -7],
                "completed": [-20, -15, -10],
                "tune_up": [-30, -25, -20],
            }[story]
            series = self.create(
                {
                    "partner_id": partner.id,
                    "user_id": practitioner.id,
                    "planned_session_count": 3 if story in ("completed", "tune_up") else 6,
                }
            )
            for weeks in done_weeks:
                session = Session.create(
                    {"series_id": series.id, "start": at(7 * weeks + index % 5, hour)}
                )
                session.write({"state": "done", "date_done": session.stop})
            if story == "on_track":
                last = max(done_weeks) * 7 + index % 5
                # Five weeks since the last one: due today, so "My Day" has sessions.
                day = 0 if index % 2 else max(last + 30, 1 + index % 6)
                Session.create({"series_id": series.id, "start": at(day, hour)})
            if story == "tune_up":
                tune_up = self.create(
                    {"partner_id": partner.id, "user_id": practitioner.id, "kind": "tune_up"}
                )
                Session.create({"series_id": tune_up.id, "start": at(2 + index % 4, hour)})
