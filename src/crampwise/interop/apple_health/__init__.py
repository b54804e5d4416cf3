"""Apple Health: stream `export.zip` / `export.xml` into per-day diary values.

`parser` streams the file (through `export_file`) into per-day totals, `columns` says which
record fills which diary column in which unit, `source_merge` counts Watch and iPhone once,
`importer` writes the result to a diary, `progress` draws a bar at a terminal.

Watch and iPhone both count steps and distance for the same minutes. Like the Health app
(which shows, for every stretch of time, the data of the highest-priority source), we rank
sources Apple Watch > iPhone > other apps and, per day and type, count a lower-ranked
sample only for the part of its interval that no higher-ranked sample covers (pro rata).
Minutes walked with only the phone still count; minutes both devices saw count once.
"""
