"""Zera: documents in, QuickBooks records out, both sides kept in step."""

import warnings

import authlib.deprecate

# authlib 1.9 warns on import that its httpx integration will move to "httpx2"; httpx is the
# product owner's fixed choice, and the warning would be printed before logging is set up, on
# every command (breaking `zera serve`'s JSON-lines output). authlib.deprecate turns its own
# warnings on ("always") when imported, so exactly this one is silenced after that import.
warnings.filterwarnings(
    "ignore",
    message="The httpx module is deprecated",
    category=authlib.deprecate.AuthlibDeprecationWarning,
)
