// Golden cases: payloads recorded in the shapes the real device families publish (shared/reference/devices.md §4),
// decoded by the shipped profiles. A profile edit that breaks a real payload fails here.
import { describe, expect, it } from 'vitest';
import { defaultProfilesDir } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import type { MqttProfile } from '../../src/devices/profile-schema.ts';
import { MAX_JSON_DEPTH, compileAvailability, compileDecoders, decode, decodeAvailability, jsonDepthOver, payloadOf, type Outcome } from '../../src/sources/mqtt/decode.ts';
import { parseJsonPath, readJsonPath } from '../../src/sources/mqtt/json-path.ts';
import { primaryDecoders, simulatedPayload, simulatorDocuments } from '../../src/simulators/mqtt-simulator.ts';

const profiles = loadProfiles(defaultProfilesDir);
const mqtt = (id: string): MqttProfile => {
  const p = profiles.get(id);
  if (p?.protocol !== 'mqtt') throw new Error(`no MQTT profile ${id}`);
  return p;
};

/** Every outcome of one message for one device: what each decoder on that topic makes of it. */
function run(profileId: string, topicId: string, topic: string, payload: string, retained = false): Outcome[] {
  const body = payloadOf(Buffer.from(payload));
  return compileDecoders(mqtt(profileId), topicId).filter((d) => d.topic === topic).map((d) => decode(d, body, retained));
}
const values = (outcomes: Outcome[]): Record<string, boolean | number> =>
  Object.fromEntries(outcomes.flatMap((o) => (o.kind === 'value' ? [[o.point, o.value]] : [])));
const malformed = (outcomes: Outcome[]): string[] => outcomes.flatMap((o) => (o.kind === 'malformed' ? [o.error] : []));
function availability(profileId: string, topicId: string, topic: string, payload: string) {
  const a = compileAvailability(mqtt(profileId), topicId).find((x) => x.topic === topic);
  if (!a) throw new Error(`no availability on ${topic}`);
  return decodeAvailability(a, payloadOf(Buffer.from(payload)));
}

describe('MQTT decoders: golden cases per device family', () => {
  it('Shelly Gen2: status/input:0 and events/rpc NotifyStatus; online true/false', () => {
    const id = 'shellyplusi4-aabbcc';
    expect(values(run('shelly-gen2-fire-input', id, `${id}/status/input:0`, '{"id":0,"state":true}'))).toEqual({ fireAlarm: true });
    expect(values(run('shelly-gen2-fire-input', id, `${id}/status/input:1`, '{"id":1,"state":false}'))).toEqual({ fault: false });
    const rpc = '{"src":"shellyplusi4-aabbcc","dst":"shellyplusi4-aabbcc/events","method":"NotifyStatus","params":{"ts":1736603810.49,"input:0":{"id":0,"state":true}}}';
    const out = run('shelly-gen2-fire-input', id, `${id}/events/rpc`, rpc);
    expect(values(out)).toEqual({ fireAlarm: true });
    expect(malformed(out)).toEqual([]); // input:1 and input:2 are simply not in this notification
    // A NotifyEvent (button push) is not a state change of the inputs.
    expect(values(run('shelly-gen2-fire-input', id, `${id}/events/rpc`, '{"method":"NotifyEvent","params":{"events":[{"component":"input:0","event":"single_push"}]}}'))).toEqual({});
    expect(availability('shelly-gen2-fire-input', id, `${id}/online`, 'false')).toEqual({ online: false });
    expect(availability('shelly-gen2-fire-input', id, `${id}/online`, 'true')).toEqual({ online: true });
  });

  it('Shelly Gen1: shellies/<id>/input/0 is 0/1; online true/false', () => {
    const id = 'shellyi3-AABBCC';
    expect(values(run('shelly-gen1-fire-input', id, `shellies/${id}/input/0`, '1'))).toEqual({ fireAlarm: true });
    expect(values(run('shelly-gen1-fire-input', id, `shellies/${id}/input/0`, '0'))).toEqual({ fireAlarm: false });
    expect(malformed(run('shelly-gen1-fire-input', id, `shellies/${id}/input/0`, '2'))).toEqual(['unexpected value 2 (expected 0, 1)']);
    expect(availability('shelly-gen1-fire-input', id, `shellies/${id}/online`, 'false')).toEqual({ online: false });
  });

  it('Tasmota: stat RESULT Switch1 Action, tele SENSOR Switch1, LWT Online/Offline', () => {
    const t = 'fire_contact';
    expect(values(run('tasmota-fire-switch', t, `stat/${t}/RESULT`, '{"Switch1":{"Action":"ON"}}'))).toEqual({ fireAlarm: true });
    expect(values(run('tasmota-fire-switch', t, `stat/${t}/RESULT`, '{"Switch2":{"Action":"OFF"}}'))).toEqual({ fault: false });
    // A RESULT of an unrelated command (POWER) is neither value nor error.
    const power = run('tasmota-fire-switch', t, `stat/${t}/RESULT`, '{"POWER":"ON"}');
    expect([values(power), malformed(power)]).toEqual([{}, []]);
    expect(values(run('tasmota-fire-switch', t, `tele/${t}/SENSOR`, '{"Time":"2026-11-22T10:00:00","Switch1":"OFF","Switch2":"ON"}'))).toEqual({ fireAlarm: false, fault: true });
    expect(malformed(run('tasmota-fire-switch', t, `tele/${t}/SENSOR`, '{"Time":"x","Switch1":"TOGGLE"}'))).toEqual(['unexpected value TOGGLE (expected ON, OFF)']);
    expect(availability('tasmota-fire-switch', t, `tele/${t}/LWT`, 'Offline')).toEqual({ online: false });
  });

  it('Zigbee2MQTT: smoke, contact (false = OPEN), tamper, water leak; availability JSON', () => {
    expect(values(run('z2m-smoke-sensor', 'ups_room_smoke', 'zigbee2mqtt/ups_room_smoke', '{"smoke":true,"tamper":false,"battery_low":false,"battery":96,"linkquality":92}'))).toEqual({ smoke: true, batteryLow: false });
    expect(values(run('z2m-contact-sensor', 'cctv_door', 'zigbee2mqtt/cctv_door', '{"contact":false,"tamper":true,"battery_low":false}'))).toEqual({ open: true, tamper: true, batteryLow: false });
    expect(values(run('z2m-contact-sensor', 'cctv_door', 'zigbee2mqtt/cctv_door', '{"contact":true,"linkquality":80}'))).toEqual({ open: false });
    expect(values(run('z2m-water-leak-sensor', 'pump_leak', 'zigbee2mqtt/pump_leak', '{"water_leak":true,"battery":80}'))).toEqual({ waterLeak: true });
    // The state key itself missing (a bare linkquality update) is malformed for the point that needs it.
    expect(malformed(run('z2m-smoke-sensor', 's', 'zigbee2mqtt/s', '{"linkquality":50}'))).toEqual(['no value at smoke']);
    expect(availability('z2m-smoke-sensor', 's', 'zigbee2mqtt/s/availability', '{"state":"offline"}')).toEqual({ online: false });
  });

  it('Frigate: a person event on this camera is an intrusion from new/update until end; other cameras and labels are not', () => {
    const ev = (type: string, camera: string, label = 'person') =>
      JSON.stringify({ type, before: { id: '1', camera, label }, after: { id: '1', camera, label, score: 0.8 } });
    expect(values(run('frigate-camera', 'cctv_gate', 'frigate/events', ev('new', 'cctv_gate')))).toEqual({ intrusion: true });
    expect(values(run('frigate-camera', 'cctv_gate', 'frigate/events', ev('update', 'cctv_gate')))).toEqual({ intrusion: true });
    expect(values(run('frigate-camera', 'cctv_gate', 'frigate/events', ev('end', 'cctv_gate')))).toEqual({ intrusion: false });
    expect(values(run('frigate-camera', 'cctv_gate', 'frigate/events', ev('new', 'back_yard')))).toEqual({});
    expect(values(run('frigate-camera', 'cctv_gate', 'frigate/events', ev('new', 'cctv_gate', 'car')))).toEqual({});
    // A retained event is an old event, not the present state.
    expect(run('frigate-camera', 'cctv_gate', 'frigate/events', ev('new', 'cctv_gate'), true)).toEqual([{ kind: 'ignored', why: 'retained event' }]);
    expect(values(run('frigate-camera', 'cctv_gate', 'frigate/cctv_gate/motion', 'ON'))).toEqual({ motion: true });
    expect(availability('frigate-camera', 'cctv_gate', 'frigate/available', 'offline')).toEqual({ online: false });
  });

  it('Frigate reviews (0.14+): an alert review on this camera is active from new/update until end; detections, other cameras and other types are not', () => {
    // The documented message (blakeblackshear/frigate docs/docs/integrations/mqtt.md, `frigate/reviews`): an update
    // that upgraded a detection to an alert. Its other types come from frigate/review/maintainer.py:
    // _publish_segment_start ("new", before = after), _publish_segment_end ("end", end_time set).
    const detection = {
      id: '1718987129.308396-fqk5ka', camera: 'front_cam', start_time: 1718987129.308396, end_time: null, severity: 'detection',
      thumb_path: '/media/frigate/clips/review/thumb-front_cam-1718987129.308396-fqk5ka.webp',
      data: { detections: ['1718987128.947436-g92ztx', '1718987148.879516-d7oq7r', '1718987126.934663-q5ywpt'], objects: ['person', 'car'], sub_labels: [], zones: [], audio: [] },
    };
    const alert = { ...detection, severity: 'alert', data: { ...detection.data, sub_labels: ['Bob'], zones: ['front_yard'] } };
    const ended = { ...alert, end_time: 1718987161.2 };
    const review = (type: string, before: object, after: object) => JSON.stringify({ type, before, after });
    const cam = (id: string) => run('frigate-camera', id, 'frigate/reviews', review('update', detection, alert));
    expect(values(cam('front_cam'))).toEqual({ reviewAlert: true });
    expect(values(run('frigate-camera', 'front_cam', 'frigate/reviews', review('new', alert, alert)))).toEqual({ reviewAlert: true });
    expect(values(run('frigate-camera', 'front_cam', 'frigate/reviews', review('end', alert, ended)))).toEqual({ reviewAlert: false });
    // A detection review is not an alert: neither its start nor its end touches the point.
    for (const type of ['new', 'update', 'end']) {
      expect(run('frigate-camera', 'front_cam', 'frigate/reviews', review(type, detection, detection))).toEqual([{ kind: 'ignored', why: 'does not match' }]);
    }
    // Another camera's alert, and a type the decoder does not know (Frigate's later GenAI summaries): ignored, not malformed.
    expect(cam('back_yard')).toEqual([{ kind: 'ignored', why: 'does not match' }]);
    expect(run('frigate-camera', 'front_cam', 'frigate/reviews', review('genai', alert, alert))).toEqual([{ kind: 'ignored', why: 'does not match' }]);
    expect(run('frigate-camera', 'front_cam', 'frigate/reviews', review('new', alert, alert), true)).toEqual([{ kind: 'ignored', why: 'retained event' }]);
    // The events decoder of the same profile is not fooled by a review on its own topic, nor the other way round.
    expect(run('frigate-camera', 'front_cam', 'frigate/events', review('new', alert, alert))).toEqual([{ kind: 'ignored', why: 'does not match' }]);
    // The simulator sends a review of the documented shape (the profile's simulator document).
    const p = mqtt('frigate-camera');
    const primary = primaryDecoders(compileDecoders(p, 'front_cam'));
    const sent = (on: boolean) => JSON.parse(simulatedPayload(primary.get('reviewAlert')!, primary, new Map([['reviewAlert', on]]), simulatorDocuments(p, 'front_cam'))) as { type: string; after: Record<string, unknown> };
    expect(sent(true)).toMatchObject({ type: 'new', after: { camera: 'front_cam', severity: 'alert', end_time: null, data: { objects: ['person'] } } });
    expect(sent(false).type).toBe('end');
    expect(Object.keys(sent(true).after).sort()).toEqual(Object.keys(alert).sort());
  });

  it('Dahua bridge: VideoLoss Start/Stop', () => {
    expect(values(run('dahua-bridge-camera', '3', 'cameras/3/VideoLoss', 'Start'))).toEqual({ videoLoss: true });
    expect(values(run('dahua-bridge-camera', '3', 'cameras/3/VideoLoss', 'Stop'))).toEqual({ videoLoss: false });
  });

  it('generic JSON: path and value mapping (true/false, 1/0, ALARM/NORMAL)', () => {
    for (const [raw, v] of [['true', true], ['0', false], ['"ALARM"', true], ['"NORMAL"', false]] as const) {
      expect(values(run('generic-json-alarm', 'di-1', 'roomwatch/di-1/state', `{"alarm":${raw}}`))).toEqual({ alarm: v });
    }
  });

  it('garbage is malformed with a reason, never a value or a throw', () => {
    const cases: [string, string, string, RegExp][] = [
      ['shelly-gen2-fire-input', 'x/status/input:0', '{"id":0,"state":', /not JSON/],
      ['shelly-gen2-fire-input', 'x/status/input:0', '{"id":0,"state":{"nested":1}}', /expected a value at state/],
      ['shelly-gen2-fire-input', 'x/status/input:0', '\u0000\u00ff garbage', /not JSON/],
      ['tasmota-fire-switch', 'stat/x/RESULT', 'null', /./],
      ['generic-json-alarm', 'roomwatch/x/state', '{"alarm":"maybe"}', /unexpected value maybe/],
    ];
    for (const [profile, topic, payload, why] of cases) {
      const out = run(profile, 'x', topic, payload);
      expect(out.length).toBeGreaterThan(0);
      for (const o of out) {
        if (o.kind === 'ignored') continue;
        expect(o.kind, `${topic} ${payload}`).toBe('malformed');
        if (o.kind === 'malformed') expect(o.error).toMatch(why);
      }
    }
  });
});

describe('payload robustness (issue 12 §3)', () => {
  it('JSON nested deeper than the bound is malformed before parsing; strings in JSON do not count as nesting', () => {
    expect(jsonDepthOver('['.repeat(65) + ']'.repeat(65), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthOver('['.repeat(64) + ']'.repeat(64), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthOver(JSON.stringify({ a: '['.repeat(500) + '\\"{{{' }), MAX_JSON_DEPTH)).toBe(false);
    const deep = '{"smoke":' + '['.repeat(8000) + ']'.repeat(8000) + '}';
    expect(new Set(malformed(run('z2m-smoke-sensor', 'x', 'zigbee2mqtt/x', deep)))).toEqual(new Set([`JSON nested deeper than ${MAX_JSON_DEPTH} levels`]));
  });

  it('"true", "false", "yes" and 1 are refused where a JSON boolean is specified, with or without a value map', () => {
    for (const v of ['"true"', '"false"', '"yes"', '1']) {
      expect(values(run('z2m-smoke-sensor', 'x', 'zigbee2mqtt/x', `{"smoke":${v}}`)), v).not.toHaveProperty('smoke');
      expect(values(run('z2m-contact-sensor', 'x', 'zigbee2mqtt/x', `{"contact":${v}}`)), v).not.toHaveProperty('open');
    }
    expect(values(run('z2m-smoke-sensor', 'x', 'zigbee2mqtt/x', '{"smoke":true}'))).toMatchObject({ smoke: true });
  });
});

describe('JSON paths', () => {
  it('reads dotted keys, quoted keys and indexes', () => {
    const doc = { params: { 'input:0': { state: true } }, list: [{ x: 3 }] };
    expect(readJsonPath(doc, parseJsonPath('params["input:0"].state'))).toBe(true);
    expect(readJsonPath(doc, parseJsonPath('list[0].x'))).toBe(3);
    expect(readJsonPath(doc, parseJsonPath('params.missing.state'))).toBeUndefined();
    expect(readJsonPath(doc, parseJsonPath('toString'))).toBeUndefined(); // no prototype properties
  });
  it('rejects broken paths with the position', () => {
    expect(() => parseJsonPath('a["b')).toThrow(/unclosed quoted key/);
    expect(() => parseJsonPath('.a')).toThrow(/starts with/);
    expect(() => parseJsonPath('a[x]')).toThrow(/\["key"\] or \[index\]/);
  });
});

describe('every shipped MQTT profile', () => {
  const all = [...profiles.values()].filter((p): p is MqttProfile => p.protocol === 'mqtt');

  it('covers the families of issue 3', () => {
    expect(all.map((p) => p.id).sort()).toEqual(expect.arrayContaining(['shelly-gen2-fire-input', 'shelly-gen1-fire-input', 'tasmota-fire-switch', 'z2m-smoke-sensor', 'z2m-contact-sensor', 'z2m-water-leak-sensor', 'frigate-camera', 'generic-json-alarm']));
  });

  it('fire alarms are critical, latched, rule A4; fire faults and isolation A6; CCTV alarms A7', () => {
    for (const p of all) {
      for (const [name, point] of Object.entries(p.points)) {
        const where = `${p.id}.${name}`;
        if (point.signal === 'fire-alarm') expect(point.alarm, where).toMatchObject({ activeWhen: true, priority: 'critical', latched: true, rule: 'A4' });
        if (point.signal === 'fire-fault' || point.signal === 'fire-isolated') expect(point.alarm?.rule, where).toBe('A6');
        if (p.kind === 'cctv-alarm' && point.alarm) expect(point.alarm.rule, where).toBe('A7');
      }
    }
  });

  it('boolean alarms only on points whose decoders produce booleans, and every decoder topic has {id} or a match on it', () => {
    for (const p of all) {
      for (const [name, point] of Object.entries(p.points)) {
        for (const d of point.decoders) {
          const outputs = d.map ? Object.values(d.map) : [true, false];
          if (typeof point.alarm?.activeWhen === 'boolean') expect(outputs.every((v) => typeof v === 'boolean'), `${p.id}.${name} ${d.topic}`).toBe(true);
          // A topic without {id} is shared (frigate/events): the device must be picked out by a match on {id}.
          if (!d.topic.includes('{id}')) expect(Object.values(d.match ?? {}), `${p.id}.${name} ${d.topic}`).toContain('{id}');
        }
      }
    }
  });

  it('states how a silent device is noticed: its own availability topic (will) or a heartbeat (issue 12 §3)', () => {
    for (const p of all) {
      const will = (p.availability ?? []).some((a) => (a.scope ?? 'device') === 'device');
      expect(will || p.heartbeatSeconds !== undefined, `${p.id}: no way to notice silence`).toBe(true);
    }
  });

  it('every Zigbee2MQTT profile reads 1.x plain and 2.x JSON availability and bridge/state, and lets bridge/devices through', () => {
    for (const p of all.filter((x) => x.id.startsWith('z2m-'))) {
      for (const [topic, scope] of [['zigbee2mqtt/dev/availability', 'device'], ['zigbee2mqtt/bridge/state', 'bridge']] as const) {
        const a = compileAvailability(p, 'dev').find((x) => x.topic === topic)!;
        expect(a.scope, `${p.id} ${topic}`).toBe(scope);
        for (const [payload, online] of [['online', true], ['offline', false], ['{"state":"online"}', true], ['{"state":"offline"}', false]] as const) {
          expect(decodeAvailability(a, payloadOf(Buffer.from(payload))), `${p.id} ${topic} ${payload}`).toEqual({ online });
        }
        expect(decodeAvailability(a, payloadOf(Buffer.from('{"state":"maybe"}')))).toHaveProperty('error');
      }
      expect(p.payloadLimits?.['zigbee2mqtt/bridge/#'], p.id).toBeGreaterThanOrEqual(200 * 1024);
    }
  });

  it('decodes what its own simulator publishes, for every point, initial value and its opposite', () => {
    for (const p of all) {
      const decoders = compileDecoders(p, 'dev-1');
      const primary = primaryDecoders(decoders);
      const documents = simulatorDocuments(p, 'dev-1');
      for (const [name, initial] of Object.entries(p.simulator?.initial ?? {})) {
        for (const value of typeof initial === 'boolean' ? [initial, !initial] : [initial]) {
          const values = new Map(Object.entries(p.simulator!.initial));
          values.set(name, value);
          const d = primary.get(name)!;
          const outcome = decode(d, payloadOf(Buffer.from(simulatedPayload(d, primary, values, documents))), false);
          expect(outcome, `${p.id}.${name} = ${String(value)}`).toMatchObject({ kind: 'value', point: name, value });
        }
      }
      expect(Object.keys(p.simulator?.initial ?? {}).sort(), `${p.id}: every point has a simulator initial value`).toEqual(Object.keys(p.points).sort());
    }
  });

  it('its ACL (or its own topics) covers every topic it publishes', async () => {
    const { filterCovers } = await import('../../src/broker/topic-filter.ts');
    for (const p of all) {
      const own = [...compileDecoders(p, 'dev-1').map((d) => d.topic), ...compileAvailability(p, 'dev-1').map((a) => a.topic)];
      const acl = (p.acl?.publish ?? own).map((t) => t.replaceAll('{id}', 'dev-1'));
      for (const topic of own) expect(acl.some((f) => filterCovers(f, topic)), `${p.id}: ${topic}`).toBe(true);
    }
  });
});
