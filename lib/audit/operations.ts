// Pure data (no server-only marker): the audit filter and its forms use the ids too.
/**
 * Typed catalogue of audit operation ids (house style 21). An event's operation
 * must be listed here, so the set of things the trail can say is reviewable in
 * one place. Naming is outcome-based: one id per operation, and the `outcome`
 * field (success | denied | failure) with a `reasonCode` says how it went. A
 * failed sign-in is `auth.sign_in` + outcome `failure`, not a separate id, so
 * "all sign-in attempts" is one filter and attempts cannot be miscounted.
 */
export const AUDIT_OPERATIONS = {
  'elevation.request':
    'A time-bound elevation was asked for; on a second person’s approval the same id records its start (details.approval, expiresAt).',
  'elevation.break_glass':
    'A superadmin used break-glass: their two-person operations run without an approver until it ends; raises a critical alert and opens a mandatory review.',
  'elevation.end': 'A time-bound elevation was ended before its expiry by its holder or a superadmin.',
  'elevation.expire': 'A time-bound elevation reached its expiry and ended (the rights had already stopped at that instant).',
  'review.start': 'An access review campaign was started: scope, reviewers, due date and the users in it.',
  'review.decide': 'A reviewer decided on one person’s access in a campaign (keep, change role, suspend), with a reason.',
  'review.sign_off': 'An access review campaign was signed off with a statement and closed; details carry its coverage.',
  'auth.sign_in': 'A sign-in attempt. failure/denied carry a reasonCode such as invalid_credentials or locked.',
  'auth.sign_out': 'A user ended their own session.',
  'session.revoke': 'A session was revoked by its owner or an administrator.',
  'session.revoke_own': 'Attempt to end one of the actor’s own sessions (recorded here when denied).',
  'session.revoke_own_others': 'Attempt to end all other sessions of the actor (recorded here when denied).',
  'session.end': 'A session was found past its limits (idle, absolute, user or role state) and ended.',
  'auth.second_factor': 'A second-factor attempt during sign-in (TOTP, recovery code or passkey); outcome and reasonCode say how it went.',
  'auth.reauthenticate': 'The actor re-entered their password (and second factor) before a security change.',
  'auth.step_up': 'A step-up proof for one operation and input was issued (or refused) after a fresh passkey or TOTP check.',
  'auth.lockout': 'An account reached the failure limit and was locked, or entered a growing delay.',
  'auth.rate_limited': 'Sign-in attempts from one address (or overall) exceeded their limit.',
  'auth.webauthn_counter_regression': 'A passkey presented a signature counter that did not increase; the credential was flagged.',
  'account.totp_enable': 'The actor enrolled an authenticator app (TOTP).',
  'account.totp_disable': 'The actor removed their authenticator app (TOTP).',
  'account.passkey_register': 'The actor registered a passkey.',
  'account.passkey_register_finish': 'Attempt to finish a passkey registration (recorded here when denied).',
  'account.passkey_rename': 'The actor renamed one of their passkeys.',
  'account.passkey_remove': 'The actor removed one of their passkeys.',
  'account.recovery_codes_generate': 'The actor generated a new set of recovery codes (the old set stops working).',
  'account.password_change': 'The actor changed their password.',
  'user.unlock': 'An administrator unlocked an account locked by failed sign-ins.',
  'user.invite': 'An administrator invited a user (the account exists without a password until the invitation is accepted).',
  'user.invite_accept': 'An invited user set their password with a one-time invitation link.',
  'user.role_change': 'An administrator changed a user’s role between member, support and auditor.',
  'user.role_grant_privileged':
    'The admin or superadmin role was granted or removed, after a second superadmin approved the frozen request (details.approval links it); denials are attempts.',
  'user.suspend': 'An administrator suspended a user; their sessions ended.',
  'user.reactivate': 'An administrator reactivated a suspended or disabled user.',
  'user.disable': 'An administrator disabled a user; their sessions ended.',
  'user.delete': 'An administrator deleted a user (soft delete); their sessions ended.',
  'user.reset_mfa': 'An administrator removed a user’s second factors; their sessions ended.',
  'user.revoke_sessions': 'An administrator ended every session of a user.',
  'session.revoke_user': 'An administrator ended one session of another user.',
  'audit.pii_lookup':
    'An auditor or superadmin checked whether an email address appears in the trail (recorded with its digest, never the address).',
  'audit.verify':
    'An auditor or superadmin verified the whole trail from the console; details carry the result (intact, or the first attack class and seq).',
  'audit.view':
    'A console user opened the audit browser, an event, the activity dashboards or the usage report (by role, or one person); details carry the view and the filter used.',
  'audit.export_events':
    'A console user downloaded the events matching a filter as CSV or JSON Lines; details carry the format, the filter and the head seq it was pinned to.',
  'ticket.comment': 'A reply to the requester or an internal note was added to a ticket (details: kind and length, never the text).',
  'ticket.set_status': 'A ticket moved to another status; details name the old and new status.',
  'ticket.assign': 'A ticket was assigned, reassigned or returned to the queue; details name the previous and new assignee.',
  'ticket.unassign_self': 'A support agent gave a ticket assigned to them back to the unassigned queue.',
  'ticket.reveal_requester_field':
    'A support agent revealed a masked personal field (email or phone) of a ticket’s requester, with a reason; the value is never recorded.',
  'ticket.unlock_requester': 'A support agent unlocked the account of a ticket’s requester, with a reason.',
  'ticket.request_requester_mfa_reset':
    'A support agent asked an administrator to reset the second factors of a ticket’s requester, with a reason.',
  'ticket.resend_requester_invitation':
    'A support agent sent a new invitation link to the address of a ticket’s requester (the link is never recorded).',
  'ticket.send_requester_password_reset':
    'A support agent sent a one-hour password-reset link to the address of a ticket’s requester, with a reason (the link is never recorded).',
  'account.password_reset': 'A user set a new password with a one-time password-reset link; their sessions ended.',
  'ticket.create': 'A ticket was opened for a requester (demo seed or intake).',
  'role.suspend': 'A superadmin suspended a whole role; its holders are refused until it is reactivated.',
  'role.reactivate': 'A superadmin reactivated a suspended role.',
  'user.create': 'A user account was created (first-run setup, seed or administration).',
  'system.seed': 'The database was seeded with initial data (actor: system).',
  'audit.key_rotate':
    'The checkpoint signing key was rotated (CLI, actor: system); details name the old and new key ids and the two-person approval it used.',
  'audit.export':
    'An offline-verifiable export bundle of the audit trail was written (CLI, actor: system); details give the seq range and counts.',
  'config.stage':
    'A key was added to (or changed in) the actor’s pending change set; nothing took effect. Secrets appear only as fingerprints.',
  'config.unstage': 'A key was removed from the actor’s pending change set.',
  'config.apply': 'A change set of normal configuration keys was applied; details list each key’s before and after and the new revisions.',
  'config.apply_sensitive': 'A change set including sensitive keys was applied, with a step-up and a reason.',
  'config.apply_critical':
    'A change set including critical keys was applied after a second person approved it (details.approval links the request); denials are attempts.',
  'audit.authorize_key_rotation':
    'Two superadmins authorized one rotation of the checkpoint signing key; `audit:keys rotate --approval <id>` may use it once within 24 hours.',
  'approval.request':
    'A two-person request was made: the exact operation and input were frozen with their digest; target is the request, details name the operation.',
  'approval.approve': 'A second person approved a frozen request (with a step-up); the change ran next, in its own event.',
  'approval.reject': 'A second person rejected a request, with a reason; nothing changed.',
  'approval.cancel': 'The requester withdrew their request (a config change set went back to their drafts).',
  'approval.expire': 'A request was not decided in time and expired (actor: system, or the person who found it expired).',
  'approval.void':
    'A request was voided because what it would change moved since it was frozen (another change to the same record or key), or its change set was edited.',
  'approval.execute':
    'An approved request could not run (failure, with the reason: the requester lost the right, or the record changed); success is the operation’s own event.',
  'incident.open': 'An incident was opened (from an alert or by hand); details carry the sealed audit head and checkpoint.',
  'incident.note': 'A note was added to an incident (details: its length; the text is on the incident).',
  'incident.link_alert': 'An alert was linked to an incident.',
  'incident.set_status': 'An incident was marked contained, or open again.',
  'incident.close': 'An incident was closed with its post-incident review; details carry the sealed audit head and checkpoint.',
  'session.revoke_all': 'Containment: every session of every user except the actor’s own was ended.',
  'system.lockdown': 'Containment: lockdown was turned on (with its mode) or off.',
  'governance.inactivity_run':
    'The hourly inactivity job ran (actor: system): details list the console accounts it suspended, the sessions it ended past their limits and the invitations it expired.',
  'alert.raise':
    'An anomaly rule raised an alert (actor: system); target is the alert, details name the rule, severity and the events that triggered it.',
  'alert.acknowledge': 'Someone acknowledged an alert (they are looking into it), with an optional note.',
  'alert.resolve': 'Someone resolved an alert, with a note saying why.',
  'witness.register':
    'An auditor registered a witness public key (target: its key id; details: name and public key); its cosignatures of checkpoints are accepted from then on.',
  'witness.revoke': 'An auditor revoked a witness key; its earlier cosignatures stay, new ones are refused.',
  'checkpoint.cosign':
    'A witness cosignature of a checkpoint was accepted (from the console, or posted by the witness without a session: actor null), or refused; denied with reasonCode fork_claim when it named another digest than the stored one for that seq.',
} as const satisfies Record<string, string>;

/** An operation id from {@link AUDIT_OPERATIONS}. */
export type AuditOperation = keyof typeof AUDIT_OPERATIONS;
