"""Ground floor: helpers every app may use (bulk COPY, DRF glue, env readers). Imports no app."""
