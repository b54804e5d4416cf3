"""Personal n-of-1 experiments, from "what may I test" to the verdict.

`catalogue` (which remedies can be tested, and the diary column for each), `plan`
(randomised schedules), `power` (what a design can detect), `model` (the analysis of the
nights), `verdict` (results and words), `status` (how a running experiment is going) and
`running` (an experiment kept in a diary, through the `ExperimentDiary` protocol).
"""
