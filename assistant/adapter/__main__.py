"""``python -m assistant.adapter``: see :mod:`assistant.adapter.pipeline`."""

from assistant.adapter.pipeline import main

raise SystemExit(main())
