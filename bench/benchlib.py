"""What every bench script does first: point Odoo at the database and the addons.

The bench shell scripts (tools/common.sh `exec_bench`) pass the addons path and the
data directory in the environment, as <PREFIX>_ADDONS_PATH and <PREFIX>_DATA_DIR.
"""

import os
import threading

import odoo


def configure(database=None, prefix="BENCH"):
    """Parse Odoo's configuration for a bench run on `database` (when given)."""
    args = [
        "--log-level=warn",
        f"--addons-path={os.environ[f'{prefix}_ADDONS_PATH']}",
        f"--data-dir={os.environ[f'{prefix}_DATA_DIR']}",
    ]
    if database:
        args.append(f"--database={database}")
    odoo.tools.config.parse_config(args)
    # Not a test run: the ORM commits and the mail queue behave as in production.
    threading.current_thread().testing = False
