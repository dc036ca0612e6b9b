"""Amazon Personalize, running locally.

The public surface is small: ``mock_personalize`` (the in-process moto plugin), ``clock``
(the emulated clock scheduled work runs on) and ``__version__``. Everything else is reached through the AWS wire protocols.
"""

from __future__ import annotations

__all__ = ["__version__", "mock_personalize"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Imported lazily so that ``import personalize_emulator`` stays cheap and does not pull
    # moto in for users of the engines alone.
    if name == "mock_personalize":
        from .mock import mock_personalize

        return mock_personalize
    if name == "clock":
        import importlib

        return importlib.import_module(f"{__name__}.clock")
    raise AttributeError(name)
