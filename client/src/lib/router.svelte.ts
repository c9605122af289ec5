/** A tiny history router: the path is state, `navigate()` pushes, back/forward just work. */
import type { Role } from '../../../shared/index.ts';

export type RouteName = 'login' | 'wall' | 'console' | 'field' | 'audit' | 'replay' | 'home' | 'notFound';

export const ROUTES: Record<string, RouteName> = {
  '/': 'home',
  '/login': 'login',
  '/wall': 'wall',
  '/console': 'console',
  '/field': 'field',
  '/audit': 'audit',
  '/replay': 'replay',
};

/** Which roles each view is for; others are told it is not for them. */
export const VIEW_ROLES: Record<'wall' | 'console' | 'field' | 'audit' | 'replay', readonly Role[]> = {
  wall: ['duty', 'commander', 'liaison', 'admin'],
  console: ['duty', 'commander', 'admin'],
  field: ['liaison', 'commander'],
  // the audit trail: as GET /api/v1/audit allows
  audit: ['admin', 'commander'],
  // replay: as GET /api/v1/replay allows (any operator)
  replay: ['duty', 'commander', 'liaison', 'admin'],
};

export function homeFor(role: Role): string {
  if (role === 'commander') return '/console';
  if (role === 'liaison') return '/field';
  return '/wall';
}

class Router {
  path = $state(typeof location !== 'undefined' ? location.pathname : '/');
  route = $derived<RouteName>(ROUTES[this.path.replace(/\/+$/, '') || '/'] ?? 'notFound');

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('popstate', () => {
        this.path = location.pathname;
      });
    }
  }

  navigate(path: string, replace = false): void {
    if (path === location.pathname + location.search) return;
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.path = location.pathname;
  }
}

export const router = new Router();
