"""Exceptions that fastbow raises for bad input.

Every message is one line that says what was wrong and how to fix it; the
command-line tools print it as ``error: <message>`` and exit with status 2.
Both classes subclass ``ValueError`` so callers that already catch
``ValueError`` keep working (the convention of scikit-learn's input checks).
"""


class FastbowError(ValueError):
    """Base class: bad input or a bad state that the user can fix."""


class DataError(FastbowError):
    """The dataset (archive, folder, table or cache) is missing, corrupt or malformed."""


class DownloadError(DataError):
    """The dataset could not be downloaded, or its checksum did not match."""
