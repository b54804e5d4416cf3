"""Care team storage, one class for callers: practitioners, shares, invitation codes, requests,
notes and the audit log, each concept in its own module.

    care = CareStore(engine)
    care.mark_practitioner(user_id, "physiotherapist", by=owner)   # the server's owner
    code = care.create_invitation(client, {"diary"}, ends_on=None)  # client gives this code
    share = care.redeem_invitation(practitioner, code)              # consent now in force
    care.share_for(practitioner_id, client_id, today)               # the gate: Share | None
    care.change_share(client, share_id, scopes, ends_on); care.revoke_share(client, share_id)
    care.record(Audit("practitioner_read", "success", actor=..., subject=...))

Every grant, change and revocation writes its audit row in the same transaction. The
`share_for` gate reads the database on every call (no cache), so a revocation stops the very
next request. Invitation codes are stored as SHA-256 only; note text never reaches the audit.
"""

from __future__ import annotations

from crampwise.store.care.audit_reads import AuditReads
from crampwise.store.care.invitations import Invitations, ShareRequest
from crampwise.store.care.notes import Notes
from crampwise.store.care.practitioners import Practitioners

__all__ = ["CareStore", "ShareRequest"]


class CareStore(Invitations, Notes, Practitioners, AuditReads):
    """Care team queries on one engine; every method names whose data it touches."""
