"""The control plane's state: stores, ARNs, lifecycle, jobs, and one handler per operation.

No HTTP and no torch here. Front doors reach this room only through :class:`Application`.
"""

from .application import Application

__all__ = ["Application"]
