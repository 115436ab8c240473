"""18.0.1.2.0: contraindication windows in days or hours; planned send times of aftercare.

Run before the ORM updates the tables: the new columns are filled from the existing
data here, so the ORM neither computes them over the whole history nor resets them.
"""


def migrate(cr, version):
    if not version:
        return
    # The window is entered as a value and a unit now; window_hours, which the rules
    # read, becomes computed from them. Whole days beyond 72 hours were shown in days.
    cr.execute(
        """
        ALTER TABLE microneedling_contraindication
            ADD COLUMN IF NOT EXISTS window_value integer,
            ADD COLUMN IF NOT EXISTS window_unit varchar
        """
    )
    cr.execute(
        """
        UPDATE microneedling_contraindication
           SET window_value = CASE WHEN window_hours > 72 AND mod(window_hours, 24) = 0
                                   THEN window_hours / 24 ELSE COALESCE(window_hours, 0) END,
               window_unit = CASE WHEN window_hours > 72 AND mod(window_hours, 24) = 0
                                  THEN 'days'
                                  -- no window: the unit a new item starts with
                                  WHEN COALESCE(window_hours, 0) = 0 THEN 'days'
                                  ELSE 'hours' END
         WHERE window_value IS NULL
        """
    )
    # What ran keeps its due time as its send time; the post-migration plans the
    # messages still waiting around the quiet hours.
    cr.execute(
        """
        ALTER TABLE microneedling_aftercare_schedule
            ADD COLUMN IF NOT EXISTS send_date timestamp without time zone
        """
    )
    cr.execute(
        """
        UPDATE microneedling_aftercare_schedule
           SET send_date = scheduled_date
         WHERE send_date IS NULL
        """
    )
