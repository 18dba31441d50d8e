// `npm run bench -- modbus-dead-slave [--units 50] [--seconds 15] [--timeout 200] [--gateway-timeout 1000] [--only rtu-line|tcp-gateway]`
// Part 1: 50 units on one RS-485 line behind a serial device server (RTU over TCP, one transaction at a time),
// polled every second. First all answer; then unit 1 goes silent. Prints the other units' cycle time both ways:
// with per-unit backoff the dead unit costs the bus one timeout now and then, not one per cycle (issue 3:
// "a timed-out slave stalls the others").
// Part 2 (issue 12): four units behind one Modbus TCP gateway (one socket), 1 s cycle, timeout 1 s as the
// defaults have it; unit 4 first answers 1.5 s late, then is silent. The healthy units' cadence is read from
// the gateway's own request log: a cycle is late when the gap to the unit's previous request exceeds 1.1 s.
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultProfilesDir } from '../src/config/load.ts';
import { loadProfiles, modbusProfile } from '../src/devices/profiles.ts';
import { startBusSimulator } from '../src/simulators/modbus-simulator.ts';
import { parseSite } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createModbusSource } from '../src/sources/modbus/source.ts';
import { benchProfile } from './lib/bench-profile.ts';
import { report, summarize } from './lib/report.ts';
import { startFarm } from './modbus-poll.ts';

/** A demo site of one room holding `devices` (YAML lines of `devices:`). */
function benchSite(devices: string, roomKind: string, profiles: Parameters<typeof parseSite>[2]): ReturnType<typeof parseSite> {
  return parseSite('bench.yaml', `
site: { id: bench, name: { en: Bench, zh-CN: 基准 }, demo: true }
rooms: [{ id: r, kind: ${roomKind}, name: { en: R, zh-CN: R } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, profiles);
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

export async function main(args: string[]): Promise<void> {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'rtu-line' && only !== 'tcp-gateway') throw new Error('--only takes rtu-line or tcp-gateway');
  if (only !== 'tcp-gateway') await rtuLine(args);
  if (only !== 'rtu-line') await tcpGateway(args);
}

async function tcpGateway(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 15);
  const timeoutMs = option(args, 'gateway-timeout', 1000);
  const intervalMs = 1000;
  const profiles = loadProfiles(defaultProfilesDir);
  const requestLog: { unitId: number; at: number }[] = [];
  const bus = await startBusSimulator({
    host: '127.0.0.1', port: 0, framing: 'tcp', logger: silentLogger, gateway: { requestLog },
    units: [1, 2, 3, 4].map((unitId) => ({ profile: modbusProfile(profiles, 'xy-md02'), unitId })),
  });
  const devices = [1, 2, 3, 4].map((u) =>
    `  - { id: th${u}, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: ${bus.port}, unitId: ${u}, timeoutMs: ${timeoutMs} } }`).join('\n');
  const site = benchSite(devices, 'distribution', profiles);
  let phase: 'warmup' | 'slow' | 'silent' = 'warmup';
  const durations = { slow: [] as number[], silent: [] as number[] };
  const offline = { slow: 0, silent: 0 };
  const source = createModbusSource({
    devices: site.modbusDevices, clock: systemClock, logger: silentLogger, emit: () => {},
    status: (s) => { if (phase !== 'warmup' && !s.online && s.deviceId !== 'th4') offline[phase]++; },
    onCycle: ({ deviceId, durationMs }) => { if (phase !== 'warmup' && deviceId !== 'th4') durations[phase].push(durationMs); },
  });
  const window = async (p: 'slow' | 'silent'): Promise<{ from: number; to: number }> => {
    phase = p;
    const from = performance.now();
    await sleep(seconds * 1000);
    return { from, to: performance.now() };
  };
  try {
    await source.start();
    await sleep(3000);
    bus.units.get(4)!.setDelay(1500);
    const slow = await window('slow');
    bus.units.get(4)!.setDelay(0);
    bus.units.get(4)!.setOffline(true);
    const silent = await window('silent');
    await source.stop();
    for (const [p, w] of [['slow', slow], ['silent', silent]] as const) {
      let gaps = 0;
      let late = 0;
      const rates: string[] = [];
      for (const u of [1, 2, 3]) {
        const at = requestLog.filter((r) => r.unitId === u && r.at >= w.from && r.at <= w.to).map((r) => r.at);
        rates.push(((at.length * 1000) / (w.to - w.from)).toFixed(2));
        for (let i = 1; i < at.length; i++, gaps++) if (at[i]! - at[i - 1]! > 1.1 * intervalMs) late++;
      }
      const probes = requestLog.filter((r) => r.unitId === 4 && r.at >= w.from && r.at <= w.to).length;
      report(`4 units behind one Modbus TCP gateway, 1 s cycle, timeout ${timeoutMs} ms, unit 4 ${p === 'slow' ? 'answering 1.5 s late' : 'silent'}: units 1–3`, {
        'late cycles % (gap > 1.1 s in the gateway log)': (100 * late) / Math.max(1, gaps),
        'requests/s per healthy unit (gateway log)': rates.join(' / '),
        'requests to unit 4 in the window': probes,
        'healthy units gone offline': offline[p],
      }, summarize(durations[p]));
    }
    console.log('(latency above: cycle time of units 1–3, ms)');
  } finally {
    await source.stop();
    await bus.stop();
  }
}

async function rtuLine(args: string[]): Promise<void> {
  const units = option(args, 'units', 50);
  const seconds = option(args, 'seconds', 15);
  const timeoutMs = option(args, 'timeout', 200);
  const registers = 10;
  const farm = await startFarm('rtu', units, registers);
  const profile = benchProfile(registers);
  const devices = Array.from({ length: units }, (_, i) =>
    `  - { id: u${i + 1}, room: r, profile: bench-sensor, connection: { type: rtu-over-tcp, host: 127.0.0.1, port: ${farm.ports[0]}, unitId: ${i + 1}, timeoutMs: ${timeoutMs} } }`).join('\n');
  const site = benchSite(devices, 'other', new Map([[profile.id, profile]]));

  let phase: 'warmup' | 'healthy' | 'dead' = 'warmup';
  const cycles = { healthy: [] as number[], dead: [] as number[] };
  let late = { healthy: 0, dead: 0 };
  let deadCycles = 0;
  let deadTimeouts = 0;
  const source = createModbusSource({
    devices: site.modbusDevices,
    clock: systemClock,
    logger: silentLogger,
    emit: () => {},
    onCycle: ({ deviceId, durationMs, lagMs }) => {
      if (phase === 'dead' && deviceId === 'u1') {
        deadCycles++;
        if (durationMs >= timeoutMs * 0.9) deadTimeouts++; // it was asked and waited for the timeout
      }
      if (phase === 'warmup' || deviceId === 'u1') return;
      cycles[phase].push(durationMs);
      if (durationMs > 1000 || lagMs > 100) late = { ...late, [phase]: late[phase] + 1 };
    },
  });
  try {
    await source.start();
    await sleep(3000);
    phase = 'healthy';
    await sleep(seconds * 1000);
    farm.send('offline 1');
    phase = 'dead';
    await sleep(seconds * 1000);
    await source.stop();
    for (const p of ['healthy', 'dead'] as const) {
      report(`${units} units on one RTU-over-TCP line, 1 s cycle, timeout ${timeoutMs} ms: the other ${units - 1} units, ${p === 'healthy' ? 'all units answering' : 'unit 1 dead'}`, {
        'cycles': cycles[p].length,
        'late cycles %': (100 * late[p]) / Math.max(1, cycles[p].length),
        ...(p === 'dead' ? { 'dead unit: cycles / cycles that asked it (and timed out)': `${deadCycles} / ${deadTimeouts}` } : {}),
      }, summarize(cycles[p]));
    }
    console.log('(latency above: cycle time of each of the other units, ms)');
  } finally {
    await source.stop();
    farm.stop();
  }
}
