// Mosquitto's log lines as the broker publishes them on $SYS/broker/log/N (Debian 12's mosquitto 2.0.11, the
// shapes test/integration/mqtt-mosquitto.test.ts meets for real; a later 2.0 names the client of a refused login,
// as in logs quoted on the web: "Client auto-7F81B465-… disconnected, not authorised.").
import { describe, expect, it } from 'vitest';
import { createMosquittoLogCounter, parseMosquittoLogLine } from '../../src/broker/mosquitto-log.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { fakeClock } from '../helpers/fake-clock.ts';

const N = '$SYS/broker/log/N';

describe('Mosquitto log lines', () => {
  it('reads logins (with and without username), refused logins and oversize disconnects, with or without a timestamp', () => {
    expect(parseMosquittoLogLine("1795440110: New client connected from 127.0.0.1:35184 as dev1big (p2, c1, k60, u'dev1').")).toEqual({ kind: 'connected', clientId: 'dev1big', username: 'dev1' });
    expect(parseMosquittoLogLine('New client connected from ::1:4000 as anon-ok (p2, c1, k60).')).toEqual({ kind: 'connected', clientId: 'anon-ok', username: null });
    expect(parseMosquittoLogLine("2026-11-23T10:00:00: New client connected from 10.0.0.5:1 as shelly (c1, k60, u'fc')")).toEqual({ kind: 'connected', clientId: 'shelly', username: 'fc' });
    expect(parseMosquittoLogLine('1795440110: Client <unknown> disconnected, not authorised.')).toEqual({ kind: 'refused', refusal: 'badCredentials', clientId: null });
    expect(parseMosquittoLogLine('1665642425: Client auto-7F81B465-FE74 disconnected, not authorised.')).toEqual({ kind: 'refused', refusal: 'badCredentials', clientId: 'auto-7F81B465-FE74' });
    expect(parseMosquittoLogLine('1795440110: Client dev1big disconnected due to oversize packet.')).toEqual({ kind: 'refused', refusal: 'oversize', clientId: 'dev1big' });
    for (const other of ['1795440110: New connection from 127.0.0.1:35126 on port 18830.', '1795440110: Client dev1client disconnected.', '1795440104: mosquitto version 2.0.11 running', '']) {
      expect(parseMosquittoLogLine(other), other).toBeNull();
    }
  });

  it('a client id is the client’s own text: one that looks like a login or a refusal does not fool the parser', () => {
    // The client id "x (p2, c1, k60, u'victim')." logging in as "attacker": the username is the last one.
    expect(parseMosquittoLogLine("1: New client connected from 1.2.3.4:5 as x (p2, c1, k60, u'victim'). (p2, c1, k60, u'attacker').")).toEqual({
      kind: 'connected', clientId: "x (p2, c1, k60, u'victim').", username: 'attacker',
    });
    expect(parseMosquittoLogLine('1: Client Client y disconnected, not authorised. disconnected.')).toBeNull();
  });
});

describe('counting refusals from the log', () => {
  const counter = () => createMosquittoLogCounter({ clock: fakeClock(), logger: silentLogger, maxClientIds: 3 });

  it('is null until a log line arrives, then counts what Mosquitto can tell; the rest stays null, not 0', () => {
    const c = counter();
    expect(c.stats()).toBeNull();
    c.line('$SYS/broker/log/M/subscribe', '1: rw-log 1 $SYS/broker/log/#');
    expect(c.stats()!.total).toEqual({ anonymous: null, badCredentials: 0, publishDenied: null, oversize: 0, subscribeDenied: null, clientIdTaken: null, tooManyConnections: null });
  });

  it('gives a refusal to the username its client id last logged in with; an unnamed or unknown client only to the total', () => {
    const c = counter();
    c.line(N, "1: New client connected from 127.0.0.1:1 as fc-1 (p2, c1, k60, u'fc-panel').");
    c.line(N, '2: Client fc-1 disconnected due to oversize packet.');
    c.line(N, '3: Client fc-1 disconnected, not authorised.'); // a later 2.0 names the client of a refused login
    c.line(N, '4: Client <unknown> disconnected, not authorised.'); // 2.0.11 does not
    c.line(N, '5: Client stranger disconnected due to oversize packet.');
    const s = c.stats()!;
    expect(s.of('fc-panel')).toMatchObject({ oversize: 1, badCredentials: 1 });
    expect(s.total).toMatchObject({ oversize: 2, badCredentials: 2 });
    expect(s.of('nobody')).toMatchObject({ oversize: 0, badCredentials: 0 });
  });

  it('only notices count: the same text on another log topic (a client’s subscribed topic name) is not a refusal', () => {
    const c = counter();
    c.line('$SYS/broker/log/M/subscribe', '1: evil 0 Client <unknown> disconnected, not authorised.');
    c.line('$SYS/broker/log/W', '1: Client <unknown> disconnected, not authorised.');
    expect(c.stats()!.total.badCredentials).toBe(0);
  });

  it('remembers a bounded number of client ids, oldest first out', () => {
    const c = counter();
    for (const id of ['a', 'b', 'c', 'd']) c.line(N, `1: New client connected from h:1 as ${id} (p2, c1, k60, u'user-${id}').`);
    expect(['a', 'b', 'c', 'd'].map((id) => c.seen(id))).toEqual([false, true, true, true]);
    c.line(N, '2: Client a disconnected due to oversize packet.');
    expect(c.stats()!.of('user-a').oversize).toBe(0);
    expect(c.stats()!.total.oversize).toBe(1);
  });
});
