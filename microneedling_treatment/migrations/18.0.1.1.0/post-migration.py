"""18.0.1.1.0: explicit answers, submission order, aftercare in the session's write path."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    # Answers become explicit: a submitted screening's unticked box was a "no"; in a
    # draft it is left unanswered, for the practitioner to answer.
    cr.execute(
        """
        UPDATE microneedling_intake_answer answer
           SET answer = CASE WHEN answer.present THEN 'yes' ELSE 'no' END
          FROM microneedling_intake intake
         WHERE intake.id = answer.intake_id
           AND answer.answer IS NULL
           AND (answer.present OR intake.state != 'draft')
        """
    )
    # The current screening is the last submitted one: date the submissions, and
    # mark every older submitted screening of the same client and company replaced.
    cr.execute(
        """
        UPDATE microneedling_intake
           SET submitted_date = COALESCE(confirmed_date, screening_date)
         WHERE state = 'submitted' AND submitted_date IS NULL
        """
    )
    cr.execute(
        """
        UPDATE microneedling_intake intake SET state = 'superseded'
          FROM (
                SELECT id, row_number() OVER (
                           PARTITION BY partner_id, company_id
                           ORDER BY submitted_date DESC, id DESC
                       ) AS position
                  FROM microneedling_intake
                 WHERE state = 'submitted'
               ) ranked
         WHERE ranked.id = intake.id AND ranked.position > 1
        """
    )
    # The aftercare timeline is scheduled by the session itself now: the automation
    # rule that did it (noupdate data) goes, or it would run next to it.
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref(
        "microneedling_treatment.base_automation_session_aftercare", raise_if_not_found=False
    )
    if rule:
        rule.action_server_ids.unlink()
        rule.unlink()
