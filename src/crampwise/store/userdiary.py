"""`UserDiary`: one user's whole diary; every query is scoped to that user."""

from __future__ import annotations

from crampwise.store.csvsync import CsvMixin
from crampwise.store.records import RecordsMixin


class UserDiary(CsvMixin, RecordsMixin):
    """One user's diary. Reads never create the user; the first write does.

    See `crampwise.store` for the method list. Methods: episodes (`add_episode`,
    `episodes`, `get_episode`, `update_episode`, `delete_episode`), days (`put_day`,
    `put_days`, `get_day`, `days`, `delete_day`), factors (`define_factor`,
    `custom_factors`), `day_table`, CSV (`export_csv`, `import_csv`, `import_day_table`),
    medicines, experiments, assessments, and `delete_everything`.
    """

    def __repr__(self) -> str:
        return f"UserDiary({self.user_name!r})"
