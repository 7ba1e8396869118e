"""The one hierarchy of errors a user can cause, each with a message written for that user.

Every layer raises these (or its own subclasses of them); the chat turns them into a reply in
`assistant/chat_service.py` and the command line in `assistant/cli/common.py`. Anything else
that escapes is an internal error: logged with context, never shown as a traceback.
"""

from __future__ import annotations


class PlantError(Exception):
    """Base class: the message is shown to the user as it is."""


class ModelMissing(PlantError):
    """A trained model is not where the settings point; the message says how to train it."""


class BackendUnavailable(PlantError):
    """The chosen language-model backend cannot run here; the message says why and what to do."""
