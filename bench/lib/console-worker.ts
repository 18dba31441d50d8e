// Consoles for the alarm benchmark, in a worker thread so their socket.io parsing does not share the
// gateway's event loop (a real console runs in a browser elsewhere). Reports, per alarm event, the
// absolute receive time (timeOrigin + now(), comparable across threads) and counts per console.
import { parentPort, workerData } from 'node:worker_threads';
import { connectConsole } from '../../test/helpers/console-client.ts';

const { url, cookie, consoles } = workerData as { url: string; cookie: string; consoles: number };
const received = new Array<number>(consoles).fill(0);
const stamps: [number, number, number][] = []; // [console, alarm id, receive time]
const sockets = await Promise.all(
  Array.from({ length: consoles }, (_, c) => {
    const s = connectConsole(url, cookie);
    s.on('alarms', (list) => {
      const at = performance.timeOrigin + performance.now();
      for (const a of list) {
        received[c]!++;
        stamps.push([c, a.id, at]);
      }
    });
    return new Promise<typeof s>((resolve) => s.on('connect', () => resolve(s)));
  }),
);
parentPort!.postMessage({ type: 'ready' });
parentPort!.on('message', (m: { type: string }) => {
  if (m.type !== 'finish') return;
  for (const s of sockets) s.disconnect();
  parentPort!.postMessage({ type: 'result', received, stamps });
});
