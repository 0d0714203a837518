// The logged-in user and what the role may do. The server is the authority:
// these checks only hide actions that would certainly be refused.

import { setCsrf, type Session, type User } from './api';

let user: User | null = null;
const listeners = new Set<(u: User | null) => void>();

export function currentUser(): User | null {
  return user;
}

export function setSession(s: Session | null): void {
  user = s ? s.user : null;
  setCsrf(s ? s.csrf : '');
  listeners.forEach((fn) => fn(user));
}

export function onUserChange(fn: (u: User | null) => void): void {
  listeners.add(fn);
}

export type Action = 'report' | 'import';

/** Roles that may use a form, as far as the dashboard knows. */
const ALLOWED: Record<Action, string[]> = {
  report: ['admin', 'planner', 'reporter'],
  import: ['admin', 'planner'],
};

export function can(action: Action, u: User | null = user): boolean {
  return !!u && ALLOWED[action].includes(u.role);
}
