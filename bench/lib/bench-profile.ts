// A synthetic room-sensor profile with `registers` int16 ×0.1 °C points at holding 0…n−1 and a 0x8000
// "no sensor" sentinel, like R4DCB08 channels (devices.md §1c): decoding does the full value path.
import type { ModbusProfile, ModbusPoint } from '../../src/devices/profile-schema.ts';

export function benchProfile(registers: number): ModbusProfile {
  const points: Record<string, ModbusPoint> = {};
  const initial: Record<string, number> = {};
  for (let i = 0; i < registers; i++) {
    points[`t${i}`] = { label: { en: `T${i}`, 'zh-CN': `温度${i}` }, quantity: 'temperature', table: 'holding', address: i, type: 'int16', scale: 0.1, unit: '°C', precision: 1, sentinels: [0x8000] };
    initial[`t${i}`] = 20 + (i % 10) / 10;
  }
  return {
    id: 'bench-sensor',
    name: { en: 'Bench sensor', 'zh-CN': '基准传感器' },
    manufacturer: 'bench',
    protocol: 'modbus',
    source: 'synthetic, shaped like devices.md §1c',
    addressing: 'pdu',
    defaults: { unitId: 1 },
    points,
    simulator: { initial },
  };
}
