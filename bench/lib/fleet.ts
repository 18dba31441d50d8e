// A fleet of simulated MQTT fire-panel inputs for the benchmarks (bench/mqtt.ts, bench/alarm-burst.ts).

export const topicId = (d: number): string => `shellyplusi4-${String(d).padStart(6, '0')}`;

/** A site of N Shelly Plus i4 fire-panel inputs (one login each) on the embedded broker; user duty/duty. */
export function fleetSiteYaml(dir: string, devices: number): string {
  return [
    'site: { id: bench, name: { en: Bench, zh-CN: 基准 }, demo: true }',
    `storage: { dataDir: ${JSON.stringify(dir)} }`,
    'http: { host: 127.0.0.1, port: 0 }',
    'broker: { embedded: { host: 127.0.0.1, port: 0 } }',
    'rooms: [{ id: fire, kind: fire-control, name: { en: Fire, zh-CN: 消防 } }]',
    'devices:',
    ...Array.from({ length: devices }, (_, d) => `  - { id: dev-${d}, room: fire, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: ${topicId(d)}, username: dev-${d}, password: pw-${d} } }`),
    'users: [{ username: duty, displayName: D, role: duty, password: duty }]',
  ].join('\n');
}
