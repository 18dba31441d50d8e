// A farm of simulated Modbus devices in its own process, so the benchmark measures the gateway's CPU and
// memory alone. `node bench/lib/modbus-farm.ts tcp <devices> <registers>`: one Modbus TCP listener per
// device; `node bench/lib/modbus-farm.ts rtu <units> <registers>`: one RTU-over-TCP bus with that many units.
// Prints one JSON line {"ports":[…]} when listening; control lines on stdin: `offline <unit>`, `online <unit>`.
import { createInterface } from 'node:readline';
import { silentLogger } from '../../src/core/logger.ts';
import { startBusSimulator, type BusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { benchProfile } from './bench-profile.ts';

const [mode, countArg, registersArg] = process.argv.slice(2);
const count = Number(countArg);
const profile = benchProfile(Number(registersArg));
const buses: BusSimulator[] = [];
if (mode === 'tcp') {
  for (let i = 0; i < count; i++) buses.push(await startBusSimulator({ host: '127.0.0.1', port: 0, framing: 'tcp', units: [{ profile, unitId: 1 }], logger: silentLogger }));
} else {
  const units = Array.from({ length: count }, (_, i) => ({ profile, unitId: i + 1 }));
  buses.push(await startBusSimulator({ host: '127.0.0.1', port: 0, framing: 'rtu', units, logger: silentLogger }));
}
console.log(JSON.stringify({ ports: buses.map((b) => b.port) }));
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, unit] = line.trim().split(/\s+/);
  const sim = buses[0]?.units.get(Number(unit));
  if (sim && (cmd === 'offline' || cmd === 'online')) sim.setOffline(cmd === 'offline');
});
process.stdin.on('end', () => process.exit(0));
