// The security tests' site: the one-sensor test site with one user per role (domain.md "People and roles").
import type { Role } from '../../src/contract/api.ts';
import { oneSensorSiteYaml, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import type { Clock } from '../../src/core/clock.ts';

export const roles: readonly Role[] = ['duty', 'lead', 'supervisor', 'manager', 'admin'];

/** Each role's user is named after the role; the password is `<role>-pw`. */
export const passwordOf = (role: Role): string => `${role}-pw`;

export async function startRolesSite(opts: { clock?: Clock; extra?: string; publicUrl?: string } = {}): Promise<TestGateway> {
  const users = roles.map((r) => `  - { username: ${r}, displayName: ${r} user, role: ${r}, password: ${passwordOf(r)} }`).join('\n');
  const yaml = oneSensorSiteYaml({ port: await freePort(), pollIntervalMs: 200, simulate: true, ...(opts.extra ? { extra: opts.extra } : {}) }).replace(
    /users:\n(?: {2}- .*\n)+/,
    `users:\n${users}\n`,
  ).replace('http: { host: 127.0.0.1, port: 0 }', `http: { host: 127.0.0.1, port: 0${opts.publicUrl ? `, publicUrl: "${opts.publicUrl}"` : ''} }`);
  return startTestGateway({ yaml, ...(opts.clock ? { clock: opts.clock } : {}) });
}
