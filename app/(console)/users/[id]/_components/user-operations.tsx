import type { ReactNode } from 'react';
import { Time } from '@/components/ui/time';
import type { OperationId } from '@/policies/operations';
import { deleteUserAction } from '../../_actions/delete-user';
import { disableUserAction } from '../../_actions/disable-user';
import { reactivateUserAction } from '../../_actions/reactivate-user';
import { resetUserMfaAction } from '../../_actions/reset-user-mfa';
import { revokeUserSessionsAction } from '../../_actions/revoke-user-sessions';
import { suspendUserAction } from '../../_actions/suspend-user';
import { unlockUserAction } from '../../_actions/unlock-user';
import { count, type UserActionTarget } from './action-target';
import type { UserAction } from './use-perform';

export interface UserOperation {
  /** The `can` flag that shows the button. */
  can: 'suspend' | 'reactivate' | 'disable' | 'unlock' | 'revokeSessions' | 'resetMfa' | 'delete';
  op: OperationId;
  action: UserAction;
  /** The button's accessible name, and the dialog's confirm button. */
  button: string;
  confirm: string;
  title: (u: UserActionTarget) => string;
  danger: boolean;
  /** Irreversible: the operator types the user's email to confirm (house style 17). */
  irreversible: boolean;
  /** The blast radius in plain words, with the real numbers. */
  blast: (u: UserActionTarget) => ReactNode;
}

const sessionsEnd = (u: UserActionTarget) =>
  u.sessions === 0 ? 'They have no active sessions.' : `${count(u.sessions, 'active session')} will end now.`;

function factorsRemoved(u: UserActionTarget): string {
  const parts = [
    ...(u.passkeys ? [count(u.passkeys, 'passkey')] : []),
    ...(u.totp ? ['an authenticator app'] : []),
    ...(u.recoveryCodesLeft ? [count(u.recoveryCodesLeft, 'recovery code')] : []),
  ];
  if (parts.length === 0) return 'No second factor is enrolled, so nothing is removed.';
  const list = parts.length === 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `${list.charAt(0).toUpperCase()}${list.slice(1)} will be removed.`;
}

/** The operations of the actions panel (besides Change role), in display order. */
export const USER_OPERATIONS: UserOperation[] = [
  {
    can: 'suspend',
    op: 'user.suspend',
    action: suspendUserAction,
    button: 'Suspend',
    confirm: 'Suspend user',
    title: (u) => `Suspend ${u.name}?`,
    danger: true,
    irreversible: false,
    blast: (u) => (
      <>
        <p>{sessionsEnd(u)}</p>
        <p>They cannot sign in until someone reactivates the account. Nothing is deleted.</p>
      </>
    ),
  },
  {
    can: 'reactivate',
    op: 'user.reactivate',
    action: reactivateUserAction,
    button: 'Reactivate',
    confirm: 'Reactivate user',
    title: (u) => `Reactivate ${u.name}?`,
    danger: false,
    irreversible: false,
    blast: (u) => (
      <p>
        The account is {u.status} now. Once reactivated they can sign in again with their password and second factor, with the rights of the{' '}
        <strong>{u.role}</strong> role.
      </p>
    ),
  },
  {
    can: 'disable',
    op: 'user.disable',
    action: disableUserAction,
    button: 'Disable',
    confirm: 'Disable user',
    title: (u) => `Disable ${u.name}?`,
    danger: true,
    irreversible: false,
    blast: (u) => (
      <>
        <p>{sessionsEnd(u)}</p>
        <p>They cannot sign in. Use this when someone leaves; the account can be reactivated later.</p>
      </>
    ),
  },
  {
    can: 'unlock',
    op: 'user.unlock',
    action: unlockUserAction,
    button: 'Unlock',
    confirm: 'Unlock account',
    title: (u) => `Unlock ${u.name}’s account?`,
    danger: false,
    irreversible: false,
    blast: (u) => (
      <p>
        The sign-in lock
        {u.lockedUntil ? (
          <>
            {' '}
            (until <Time value={u.lockedUntil} />)
          </>
        ) : null}{' '}
        and the {count(u.failedLoginCount, 'failed sign-in')} on record are cleared. They can try to sign in again at once. Make sure the
        failures were theirs, not an attack.
      </p>
    ),
  },
  {
    can: 'revokeSessions',
    op: 'user.revoke_sessions',
    action: revokeUserSessionsAction,
    button: 'End all sessions',
    confirm: 'End all sessions',
    title: (u) => `End all of ${u.name}’s sessions?`,
    danger: true,
    irreversible: false,
    blast: (u) => (
      <p>
        {u.sessions === 0
          ? 'No active sessions are listed; any that remain end too.'
          : `${count(u.sessions, 'active session')} will end; each browser is signed out on its next request.`}{' '}
        The account stays active, so they can sign in again. To keep them out, suspend the account instead.
      </p>
    ),
  },
  {
    can: 'resetMfa',
    op: 'user.reset_mfa',
    action: resetUserMfaAction,
    button: 'Reset MFA',
    confirm: 'Reset MFA',
    title: (u) => `Reset ${u.name}’s second factors?`,
    danger: true,
    irreversible: true,
    blast: (u) => (
      <>
        <p>
          {factorsRemoved(u)} {sessionsEnd(u)}
        </p>
        <p>They must enrol a second factor again at their next sign-in. This cannot be undone.</p>
      </>
    ),
  },
  {
    can: 'delete',
    op: 'user.delete',
    action: deleteUserAction,
    button: 'Delete user',
    confirm: 'Delete user',
    title: (u) => `Delete ${u.name}?`,
    danger: true,
    irreversible: true,
    blast: (u) => (
      <>
        <p>
          The account {u.email} is deleted. {sessionsEnd(u)} Any unused invitation link stops working.
        </p>
        <p>Deleting cannot be undone from the console. The audit trail keeps its history.</p>
      </>
    ),
  },
];
