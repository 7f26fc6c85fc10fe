"""`python -m evals.safety`: see the package's docstring."""
from evals.safety.run import main

raise SystemExit(main())
