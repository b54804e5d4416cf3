"""Assessment: a person's situation → red-flag triage, likely causes and a personal plan.

`situation` parses and validates what a person tells us, `medicines` recognises what they
take, `assessment` applies the knowledge base's rules, `questionnaire` asks the questions on
a terminal and `guide` renders the readable guide. Everything here is a pure function of
the situation and `crampwise.knowledge`.
"""

from crampwise.assess.assessment import AssessmentResult, assess

__all__ = ["AssessmentResult", "assess"]
