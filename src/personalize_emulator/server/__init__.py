"""Front door 2: the standalone server (``personalize-emulator serve``)."""

from .app import HEALTH_PATH, create_app
from .threaded import ThreadedServer

__all__ = ["HEALTH_PATH", "ThreadedServer", "create_app"]
