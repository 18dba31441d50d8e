"""A Modbus server we did not write (Debian python3-pymodbus) serving a register map given as JSON, for
interop tests of the Roomwatch poller. Usage:
  /usr/bin/python3 pymodbus-server.py tcp <port> '<json>'
  /usr/bin/python3 pymodbus-server.py rtu <serial-path> '<json>'
JSON: {"<unit id>": {"holding": {"<pdu address>": <word>}, "input": {...}}}. Prints "ready" when serving.
"""
import json
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.server import StartSerialServer, StartTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer


def block(words):
    # Sparse: an unmapped address answers exception 02, as a real device does.
    return ModbusSparseDataBlock({int(a): int(v) for a, v in words.items()} or {0: 0})


def main():
    mode, where, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    slaves = {
        int(unit): ModbusSlaveContext(
            hr=block(tables.get("holding", {})),
            ir=block(tables.get("input", {})),
            co=block(tables.get("coil", {})),
            di=block(tables.get("discrete", {})),
            zero_mode=True,  # addresses are PDU addresses, as on the wire
        )
        for unit, tables in spec.items()
    }
    context = ModbusServerContext(slaves=slaves, single=False)
    print("ready", flush=True)
    if mode == "tcp":
        StartTcpServer(context=context, address=("127.0.0.1", int(where)), framer=ModbusSocketFramer)
    else:
        StartSerialServer(context=context, framer=ModbusRtuFramer, port=where, baudrate=9600, timeout=0.05)


if __name__ == "__main__":
    main()
