"""Date formats Django's own locale files leave out (``FORMAT_MODULE_PATH``): each language
module here adds to Django's, never replaces it."""
