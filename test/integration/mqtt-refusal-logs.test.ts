// Logs of broker refusals (issue 12 §4), on a real aedes: a scan of guessed usernames is counted, not logged one
// line per name, and the per-username table stays bounded; a configured login's wrong password keeps its own row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { createDeviceAccess } from '../../src/broker/device-access.ts';
import { createEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { createRefusalCounter, OTHER_USERNAMES, UNKNOWN_USERNAME } from '../../src/broker/refusals.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { connackCode } from '../helpers/mqtt.ts';

const site = parseSite(
  'refusals.yaml',
  `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
broker: { embedded: { port: 0 } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices:
  - { id: smoke-1, room: fire, profile: z2m-smoke-sensor, connection: { type: mqtt, topicId: smoke_1, username: z2m, password: z2m-pw } }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`,
  loadProfiles(defaultProfilesDir),
);

describe('broker refusal logs', () => {
  let broker: EmbeddedBroker;
  let url: string;
  let lines: { level: string; msg: string; username?: string | null; suppressed?: number }[];

  beforeEach(async () => {
    lines = [];
    const logger = createLogger('debug', {}, (l) => lines.push(JSON.parse(l) as (typeof lines)[number]));
    broker = createEmbeddedBroker({
      host: '127.0.0.1', port: 0, access: createDeviceAccess(site.mqttDevices, { username: 'gw', password: 'gw-pw' }),
      maxPayloadBytes: 16 * 1024, clock: fakeClock(), logger,
    });
    url = `mqtt://127.0.0.1:${(await broker.start()).mqtt}`;
  });
  afterEach(() => broker.stop());

  it('100 guessed usernames: 100 counted, one log line, one table row; a known login keeps its own row', async () => {
    for (let i = 0; i < 100; i++) expect(await connackCode(url, { username: `guess-${i}`, password: 'x', clientId: `scan-${i}` })).toBe(4);
    expect(await connackCode(url, { username: 'z2m', password: 'wrong', clientId: 'z2m-bad' })).toBe(4);
    const stats = broker.stats();
    expect(stats.total.badCredentials).toBe(101);
    expect([...stats.byUsername.keys()].sort()).toEqual(['(unknown username)', 'z2m'].sort());
    expect(stats.byUsername.get(UNKNOWN_USERNAME)!.badCredentials).toBe(100);
    expect(stats.of('z2m').badCredentials).toBe(1);
    const refusedLines = lines.filter((l) => l.msg === 'mqtt badCredentials refused');
    expect(refusedLines.map((l) => l.username)).toEqual(['guess-0', 'z2m']);
  });
});

describe('the per-username refusal table', () => {
  it('is bounded: past its size, further usernames share one row (a source that cannot tell known names)', () => {
    const counter = createRefusalCounter({ clock: fakeClock(), logger: createLogger('error', {}, () => {}), maxUsernames: 10 });
    for (let i = 0; i < 50; i++) counter.refuse('badCredentials', `u${i}`, {});
    const { byUsername, total } = counter.stats();
    expect(total.badCredentials).toBe(50);
    expect(byUsername.size).toBe(11);
    expect(byUsername.get(OTHER_USERNAMES)!.badCredentials).toBe(40);
  });
});
