// A site of one distribution room holding the given Modbus devices (YAML lines under `devices:`), for the
// Modbus integration tests that build their own topology.
import { parseSite } from '../../src/config/load.ts';

export function distributionSite(devices: string, profiles: Parameters<typeof parseSite>[2]): ReturnType<typeof parseSite> {
  return parseSite('modbus-test.yaml', `
site: { id: m, name: { en: M, zh-CN: M }, demo: true }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, profiles);
}
