"""One module per engine. The registry (``engines/registry.py``) maps recipe ARNs to the classes
here by import path, so importing this package imports no engine (and no torch)."""
