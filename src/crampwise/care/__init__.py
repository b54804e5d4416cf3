"""Care-team rules without HTTP or SQL: consent and scopes (`consent`) and the one access
gate every practitioner read goes through (`access`)."""
