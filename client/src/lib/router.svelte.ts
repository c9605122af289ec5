/** A tiny history router: the path is state, `navigate()` pushes, back/forward just work. */
import type { Role } from '../../../shared/index.ts';

export type RouteName =
  | 'login'
  | 'wall'
  | 'console'
  | 'field'
  | 'audit'
  | 'replay'
  | 'cases'
  | 'inbox'
  | 'rules'
  | 'reports'
  | 'footage'
  | 'home'
  | 'notFound';
export type ViewName = Exclude<RouteName, 'login' | 'home' | 'notFound'>;

export const ROUTES: Record<string, RouteName> = {
  '/': 'home',
  '/login': 'login',
  '/wall': 'wall',
  '/console': 'console',
  '/field': 'field',
  '/audit': 'audit',
  '/replay': 'replay',
  '/cases': 'cases',
  '/inbox': 'inbox',
  '/rules': 'rules',
  '/reports': 'reports',
  '/footage': 'footage',
};

/** Which roles each view is for; others are told it is not for them. */
export const VIEW_ROLES: Record<ViewName, readonly Role[]> = {
  // a sub-centre's wall and board show its own street (the server scopes what it reads)
  wall: ['duty', 'commander', 'liaison', 'admin', 'subcentre'],
  console: ['duty', 'commander', 'admin'],
  field: ['liaison', 'commander'],
  // the audit trail: as GET /api/v1/audit allows
  audit: ['admin', 'commander'],
  // replay: as GET /api/v1/replay allows (any operator)
  replay: ['duty', 'commander', 'liaison', 'admin'],
  // peacetime: the case board, the department's inbox, the rules editor, the KPI reports
  cases: ['duty', 'commander', 'admin', 'subcentre'],
  inbox: ['department'],
  rules: ['admin'],
  reports: ['duty', 'commander', 'liaison', 'admin'],
  // footage retrieval for the police: as GET /api/v1/footage-requests allows (any operator)
  footage: ['duty', 'commander', 'liaison', 'admin'],
};

export function homeFor(role: Role): string {
  if (role === 'commander') return '/console';
  if (role === 'liaison') return '/field';
  if (role === 'department') return '/inbox';
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
