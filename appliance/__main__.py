"""``python -m appliance`` runs the ytempire command line."""

import sys

from appliance.cli.main import main

sys.exit(main())
