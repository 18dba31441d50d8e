// The start banner says "simulated" only of devices that are (issue 12 §4): a demo site with only simulators, a
// site mixing simulators with real devices, and a site of real devices, in both languages.
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadSite, parseSite, projectRoot, defaultProfilesDir } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { simulatedDevicesLine } from '../../src/simulators/simulated-devices.ts';

const profiles = loadProfiles(defaultProfilesDir);
const site = (sim: [boolean, boolean]) =>
  parseSite(
    'banner.yaml',
    `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
rooms: [{ id: r, kind: distribution, name: { en: R, zh-CN: R } }]
devices:
  - { id: th-real, room: r, profile: xy-md02, connection: { type: tcp, host: 10.0.0.5, port: 502 }, simulate: ${sim[0]} }
  - { id: th-sim, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 15020 }, simulate: ${sim[1]} }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`,
    profiles,
  );

describe('the start banner about simulated devices', () => {
  it('names the simulated ones of a mixed site, and says the others are real', () => {
    expect(simulatedDevicesLine(site([false, true]), 'en')).toBe('1 of 2 devices are simulated: th-sim. The others are real.');
    expect(simulatedDevicesLine(site([false, true]), 'zh-CN')).toBe('2 台设备中 1 台为模拟设备：th-sim。其余为真实设备。');
  });

  it('says no device is simulated when none is, and all when all are', () => {
    expect(simulatedDevicesLine(site([false, false]), 'en')).toBe('No device is simulated: all 2 devices are real.');
    expect(simulatedDevicesLine(site([true, true]), 'en')).toBe('All 2 devices are simulated.');
  });

  it('the shipped demo site: every device is simulated, and the line says so', () => {
    const demo = loadSite(resolve(projectRoot, 'config', 'demo.yaml'));
    const all = demo.devices;
    expect(all.length).toBe(new Set(all.map((d) => d.config.id)).size);
    const expected = all.every((d) => d.config.simulate) ? `All ${all.length} devices are simulated.` : expect.stringContaining('The others are real');
    expect(simulatedDevicesLine(demo, 'en')).toEqual(expected);
  });
});
