// `npm run bench -- modbus-dead-slave [--units 50] [--seconds 15] [--timeout 200]`
// 50 units on one RS-485 line behind a serial device server (RTU over TCP, one transaction at a time), polled
// every second. First all answer; then unit 1 goes silent. Prints the other units' cycle time both ways:
// with per-unit backoff the dead unit costs the bus one timeout now and then, not one per cycle (issue 3:
// "a timed-out slave stalls the others").
import { setTimeout as sleep } from 'node:timers/promises';
import { parseSite } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createModbusSource } from '../src/sources/modbus/source.ts';
import { benchProfile } from './lib/bench-profile.ts';
import { report, summarize } from './lib/report.ts';
import { startFarm } from './modbus-poll.ts';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

export async function main(args: string[]): Promise<void> {
  const units = option(args, 'units', 50);
  const seconds = option(args, 'seconds', 15);
  const timeoutMs = option(args, 'timeout', 200);
  const registers = 10;
  const farm = await startFarm('rtu', units, registers);
  const profile = benchProfile(registers);
  const devices = Array.from({ length: units }, (_, i) =>
    `  - { id: u${i + 1}, room: r, profile: bench-sensor, connection: { type: rtu-over-tcp, host: 127.0.0.1, port: ${farm.ports[0]}, unitId: ${i + 1}, timeoutMs: ${timeoutMs} } }`).join('\n');
  const site = parseSite('bench.yaml', `
site: { id: bench, name: { en: Bench, zh-CN: 基准 }, demo: true }
rooms: [{ id: r, kind: other, name: { en: R, zh-CN: R } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, new Map([[profile.id, profile]]));

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
