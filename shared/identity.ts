import { z } from 'zod';
import { Role } from './common.ts';
import { text } from './text.ts';

export const LoginInput = z.strictObject({
  username: text.line(64),
  password: z.string().min(1).max(256),
});

export const User = z.object({
  id: z.string(),
  username: z.string(),
  displayName: text.stored(),
  role: Role,
  /** A `subcentre` user's street (a grid street id). */
  streetId: z.string().optional(),
  /** A `department` user's department (`GET /api/v1/departments`). */
  departmentId: z.string().optional(),
});
export type User = z.infer<typeof User>;

/** Which roles may run each command; the server enforces it, the UI hides what a role cannot do. */
export const PERMISSIONS = {
  'operation.activate': ['commander'],
  'operation.stand_down': ['commander'],
  'mode.switch': ['commander'],
  'dispatch.create': ['commander'],
  'resource.update': ['liaison', 'commander'],
  'task.update': ['liaison', 'commander'],
  'report.create': ['liaison', 'commander'],
  'video_alert.review': ['duty', 'commander'],
  'incident.update': ['duty', 'commander'],
  'incident.acknowledge': ['duty', 'commander'],
  'audit.read': ['admin', 'commander'],
  'intake.post': ['duty', 'commander', 'liaison', 'admin'],
  // Peacetime. Which action each may take on which case is the lifecycle's (server/cases/lifecycle.ts).
  'case.act': ['duty', 'commander', 'subcentre', 'department'],
  /** Reads that narrow to the caller's scope themselves (one case, the rules, the departments). */
  'case.read': ['duty', 'commander', 'liaison', 'admin', 'subcentre', 'department'],
  'case_rules.update': ['admin'],
  /** Linking a camera to its device (video platforms' events find their camera by it). */
  'camera.link': ['admin'],
  /** Scoped roles see their own rows only. */
  'kpi.read': ['duty', 'commander', 'liaison', 'admin', 'subcentre', 'department'],
  'kpi_report.read': ['duty', 'commander', 'liaison', 'admin'],
  'kpi_report.create': ['duty', 'commander', 'admin'],
  // Footage retrieval for the police (调取录像): duty records and completes, the commander decides.
  'footage.request': ['duty'],
  'footage.decide': ['commander'],
  'footage.complete': ['duty'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
