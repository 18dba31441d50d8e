// A serial line for tests: a pty pair made by Debian's socat (`apt-get install socat`), the gateway's end named
// by a symlink, an RTU slave emulator (the simulators' serveRtu) with the given units on the other end, opened
// at the units' line settings (9600 8N1 for the XY-MD02) and answering at that rate's character time.
// Issue 12 §1b: the topology of an RS-485 adapter.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { serveRtu, type RtuServing } from '../../src/simulators/modbus-frames.ts';
import type { SimulatedUnit } from '../../src/simulators/modbus-unit.ts';
import { realPart } from './real-parts.ts';

export const socatPart = (): { skip: boolean } => realPart('socat', existsSync('/usr/bin/socat'), 'apt-get install socat');

export interface SerialLine {
  /** The gateway's end of the line (a symlink to the pty, as /dev/serial/by-id/… is). */
  readonly path: string;
  close(): Promise<void>;
}

/** `at`: the gateway's end at this path (plugging the adapter back in after `close()` pulled it out). */
export async function startSerialLine(units: ReadonlyMap<number, SimulatedUnit>, serving: RtuServing = {}, at?: string): Promise<SerialLine> {
  const ours = at ?? join(mkdtempSync(join(tmpdir(), 'rw-line-')), 'ttyGW');
  const theirs = join(mkdtempSync(join(tmpdir(), 'rw-slave-')), 'ttySLAVE');
  const child: ChildProcess = spawn('/usr/bin/socat', ['-d', '-d', `pty,raw,echo=0,link=${ours}`, `pty,raw,echo=0,link=${theirs}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let said = '';
    child.stderr!.on('data', (d: Buffer) => {
      said += d.toString();
      if (/starting data transfer loop/.test(said)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${said}`)));
  });
  const slave = new SerialPort({ path: theirs, baudRate: 9600 }); // the XY-MD02's 9600 8N1 (a pty ignores it)
  await new Promise<void>((resolve, reject) => slave.once('open', resolve).once('error', reject));
  serveRtu(slave, (id) => units.get(id), { baudRate: 9600, ...serving }); // answers at 9600 baud's character time
  return {
    path: ours,
    /** Pulls the adapter out: the emulator's end closes and socat exits, removing the gateway's pty. */
    async close() {
      await new Promise<void>((resolve) => (slave.isOpen ? slave.close(() => resolve()) : resolve()));
      if (child.exitCode === null) await new Promise<void>((resolve) => child.once('exit', () => resolve()).kill('SIGTERM'));
    },
  };
}
