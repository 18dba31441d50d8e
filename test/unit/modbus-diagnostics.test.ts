// The poller's per-device counters (GET /api/diagnostics/modbus) and its configuration judgement, against a
// scripted link: what each error class of devices.md §5 implication 2 counts as, that configuration exceptions
// (01/02/03/0A) are never retried and raise a mismatch while 0x0B, busy and timeouts do not, and that the
// mismatch goes when every read is answered again. The real link and simulator: test/integration/modbus-diagnostics.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import type { DeviceConfigStatus, DeviceStatus } from '../../src/core/bus.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { modbusDeviceView, type ModbusDeviceCounters } from '../../src/sources/modbus/diagnostics.ts';
import { describeException, LinkError, type ModbusLink, type RegisterData } from '../../src/sources/modbus/link.ts';
import { createModbusPoller, type ModbusPoller } from '../../src/sources/modbus/poller.ts';
import { oneSensorSiteYaml } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);
// XY-MD02: temperature at input register 0x0001, humidity at 0x0002, read together in one block.
const device = parseSite('diag.yaml', oneSensorSiteYaml({ port: 1502, pollIntervalMs: 100 }), profiles).modbusDevices[0]!;

type Answer = RegisterData | LinkError;
const exception = (code: number): LinkError => new LinkError('exception', describeException(code), { exceptionCode: code });

/** A link that answers each read by `script(address, count)` and records what was asked. */
function scriptedLink() {
  const asked: { address: number; count: number }[] = [];
  let script: (address: number, count: number) => Answer = (_a, count) => Array.from({ length: count }, () => 250);
  const link: ModbusLink = {
    key: 'tcp:scripted',
    async read(_unit, _table, address, count) {
      asked.push({ address, count });
      const a = script(address, count);
      if (a instanceof LinkError) throw a;
      return a;
    },
    status: () => ({ state: 'connected', reconnects: 0, lastError: null, requestsHeld: 0, connectFailures: 0, staleBytesDropped: 0 }),
    outageMs: () => 0,
    async close() {},
  };
  return { link, asked, answer: (s: typeof script) => void (script = s) };
}

describe('Modbus device counters and the configuration judgement', () => {
  let poller: ModbusPoller | undefined;
  afterEach(async () => poller?.stop());

  const start = async () => {
    const s = scriptedLink();
    const readings: Reading[] = [];
    const configs: DeviceConfigStatus[] = [];
    const statuses: DeviceStatus[] = [];
    /** Counters as they stood after each cycle. */
    const after: ModbusDeviceCounters[] = [];
    poller = createModbusPoller({
      device,
      link: s.link,
      clock: systemClock,
      logger: silentLogger,
      emit: (rs) => readings.push(...rs),
      status: (st) => statuses.push(st),
      config: (c) => configs.push(c),
      onCycle: () => after.push({ ...poller!.counters, exceptions: new Map(poller!.counters.exceptions) }),
    });
    await poller.start();
    const c = poller.counters;
    /** Waits for `n` more cycles and returns the counters' change over them. */
    const cycles = async (n: number) => {
      const from = after.length;
      await waitFor(() => after.length >= from + n + 1, `${n} more cycles`);
      const [a, b] = [after[from]!, after[from + n]!];
      return { requests: b.requests - a.requests, answers: b.answers - a.answers, busyRetries: b.busyRetries - a.busyRetries, cycles: b.cycles - a.cycles, asked: s.asked.length };
    };
    return { ...s, c, readings, configs, statuses, cycles };
  };

  it('counts one request and one answer per block of a healthy device, and judges its configuration ok once', async () => {
    const t = await start();
    await waitFor(() => t.c.cycles >= 3, 'three cycles');
    expect(t.c).toMatchObject({ answers: t.c.requests, noAnswer: 0, transportErrors: 0, busyRetries: 0, failedCycles: 0, online: true, lastError: null, configProblem: null });
    expect(t.c.exceptions.size).toBe(0);
    expect(t.c.lastGoodAt).toBeGreaterThan(0);
    expect(t.asked.every((r) => r.address === 1 && r.count === 2)).toBe(true); // one merged read per cycle
    // The first complete cycle says "ok": that clears a configuration alarm an earlier run left open; then only changes.
    expect(t.configs.map((s) => s.ok)).toEqual([true]);
  });

  it('02 on one point after the split: a mismatch naming unit, table, address, point and meaning; no retry; clears when answered', async () => {
    const t = await start();
    t.answer((address, count) => (address === 1 ? exception(2) : Array.from({ length: count }, () => 480)));
    await waitFor(() => t.configs.some((s) => !s.ok), 'a configuration mismatch');
    expect(t.configs.at(-1)).toMatchObject({ deviceId: 'dist-b1-th1', roomId: 'dist-room-b1', ok: false, detail: 'unit 1, input register 0x0001 (temperature): Modbus exception 2: illegal data address' });
    // The merged read was split: from now on one read per point, each asked once per cycle (02 is not retried).
    const d = await t.cycles(3);
    expect(d).toMatchObject({ requests: 6, answers: 6, busyRetries: 0, cycles: 3 });
    expect(t.c.exceptions.get(2)).toBeGreaterThanOrEqual(4); // the merged read's and each single temperature read's
    expect(t.c.configProblem).toContain('0x0001 (temperature)');
    expect(t.c.online).toBe(true); // an exception is an answer
    const last = (point: string) => t.readings.findLast((r) => r.point === point)!;
    expect(last('temperature')).toMatchObject({ quality: 'bad', value: null, detail: 'Modbus exception 2: illegal data address' });
    expect(last('humidity')).toMatchObject({ quality: 'good', value: 48 });

    t.answer((_a, count) => Array.from({ length: count }, () => 250));
    await waitFor(() => t.configs.at(-1)!.ok, 'the mismatch gone');
    expect(t.configs.map((s) => s.ok)).toEqual([true, false, true]); // the first cycle was asked before the script changed
    expect(t.c.configProblem).toBeNull();
  });

  it('a merged read refused with 02 whose single reads answer is no mismatch: the fallback found the registers', async () => {
    const t = await start();
    t.answer((_a, count) => (count > 1 ? exception(2) : [250]));
    await t.cycles(2);
    expect(t.configs.every((s) => s.ok)).toBe(true);
    expect(t.c.exceptions.get(2)).toBe(1);
  });

  it.each([
    [1, 'illegal function'],
    [3, 'illegal data value'],
    [10, 'gateway path unavailable'],
  ])('exception %i (%s) is a configuration mismatch too, never retried', async (code, meaning) => {
    const t = await start();
    t.answer(() => exception(code));
    await waitFor(() => t.configs.some((s) => !s.ok), 'a configuration mismatch');
    expect(t.configs.at(-1)!.detail).toBe(`unit 1, input register 0x0001–0x0002 (temperature, humidity): Modbus exception ${code}: ${meaning}`);
    expect(await t.cycles(2)).toMatchObject({ requests: 2, busyRetries: 0 });
    expect(modbusDeviceView('x', 'l', 1, t.c).exceptions).toEqual([{ code, meaning, count: t.c.exceptions.get(code) }]);
  });

  it('busy (06) is retried twice per read and counted, and is not a configuration problem', async () => {
    const t = await start();
    t.answer(() => exception(6));
    expect(await t.cycles(2)).toMatchObject({ requests: 6, answers: 6, busyRetries: 4 });
    expect(t.configs.every((s) => s.ok)).toBe(true);
    expect(t.c.lastError).toBe('Modbus exception 6: server device busy');
  });

  it('0x0B (the device behind the gateway is silent) is a failed cycle and goes offline, not a configuration problem', async () => {
    const t = await start();
    await waitFor(() => t.c.online === true, 'online');
    t.answer(() => exception(11));
    await waitFor(() => t.statuses.some((s) => !s.online), 'offline after 3 cycles');
    expect(t.c.failedCycles).toBeGreaterThanOrEqual(3);
    expect(t.c.online).toBe(false);
    expect(t.c.exceptions.get(11)).toBeGreaterThanOrEqual(2); // the third failed cycle may be skipped (backoff)
    expect(t.configs.every((s) => s.ok)).toBe(true);
    expect(t.c.configProblem).toBeNull();
  });

  it('hysteresis (issue 12): a device failing every other cycle never goes offline; once offline, one answer does not bring it back', async () => {
    const t = await start();
    await waitFor(() => t.c.online === true, 'online');
    let n = 0;
    const timeout = new LinkError('no-answer', 'timeout: no response within 1000 ms', { timeout: true });
    t.answer((_a, count) => (n++ % 2 === 0 ? timeout : Array.from({ length: count }, () => 250)));
    await waitFor(() => t.c.cycles >= 20, 'twenty cycles of flapping');
    expect(t.statuses.filter((s) => !s.online)).toEqual([]); // no duty-log line per flap
    t.answer(() => timeout);
    await waitFor(() => t.c.online === false, 'offline after 3 failed cycles');
    // Answered and failed cycles alternate: M = 2 answered cycles in a row never come, so it stays offline.
    n = 0;
    t.answer((_a, count) => (n++ % 2 === 0 ? Array.from({ length: count }, () => 250) : timeout));
    const from = t.c.cycles;
    await waitFor(() => t.c.cycles >= from + 12, 'twelve cycles answering every other time');
    expect(t.statuses.filter((s) => s.online).length).toBe(1); // only the first judgement after start
    t.answer((_a, count) => Array.from({ length: count }, () => 250));
    await waitFor(() => t.c.online === true, 'back after two answered cycles in a row');
    expect(t.statuses.map((s) => s.online)).toEqual([true, false, true]);
  });

  it('a request that never went on the wire (link down) is no failed cycle of the unit and starts no backoff', async () => {
    const t = await start();
    await waitFor(() => t.c.online === true, 'online');
    t.answer(() => new LinkError('link-down', 'connect to 127.0.0.1:1502 failed: ECONNREFUSED'));
    const from = t.c.cycles;
    await waitFor(() => t.c.cycles >= from + 8, 'eight cycles with the link down');
    expect(t.c.failedCycles).toBe(0);
    expect(t.asked.length - from).toBeGreaterThanOrEqual(8); // asked every cycle: no unit backoff
    expect(t.readings.at(-1)).toMatchObject({ quality: 'comm_lost', detail: 'link tcp:scripted down: connect to 127.0.0.1:1502 failed: ECONNREFUSED' });
    // The scripted link reports no outage (outageMs 0): a link that came back at once never takes the device offline.
    expect(t.statuses.filter((s) => !s.online)).toEqual([]);
  });

  it('a unit-wide 02 (every single read refused too) does not split the merged read for good (issue 12)', async () => {
    const t = await start();
    await waitFor(() => t.c.online === true, 'online');
    t.answer(() => exception(2));
    await waitFor(() => t.c.cycles >= 4, 'cycles with 02');
    t.answer((_a, count) => Array.from({ length: count }, () => 250));
    const mark = t.asked.length;
    await waitFor(() => t.asked.length >= mark + 4, 'answered again');
    expect(t.asked.slice(mark + 1).every((r) => r.address === 1 && r.count === 2)).toBe(true); // merged again
  });

  it('counts timeouts (RTU no-answer and Modbus TCP alike) as no answer, other link failures as transport errors', async () => {
    const t = await start();
    t.answer(() => new LinkError('transport', 'timeout: no response within 500 ms', { timeout: true }));
    await waitFor(() => t.c.noAnswer >= 2, 'two timeouts');
    t.answer(() => new LinkError('no-answer', 'CRC error'));
    await waitFor(() => t.c.lastError === 'CRC error', 'a garbled RTU answer');
    t.answer(() => new LinkError('transport', 'connect to 127.0.0.1:1502 failed: ECONNREFUSED'));
    await waitFor(() => t.c.transportErrors >= 1, 'a refused connection');
    const c = t.c;
    expect(c.requests).toBe(c.answers + c.noAnswer + c.transportErrors);
    expect(c.lastError).toBe('connect to 127.0.0.1:1502 failed: ECONNREFUSED');
    expect(c.lastErrorAt).toBeGreaterThan(0);
    expect(c.failedCycles).toBeGreaterThanOrEqual(3);
    expect(t.configs.every((s) => s.ok)).toBe(true);
  });
});
