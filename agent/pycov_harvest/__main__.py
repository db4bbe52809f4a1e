import sys

from pycov_harvest.cli import main

sys.exit(main())
