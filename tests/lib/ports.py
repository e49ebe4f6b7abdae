"""Helpers shared by the Python test drivers of several suites (gdb, system)."""

import socket


def free_port(kind=socket.SOCK_STREAM):
    """A local port nothing listens on now (TCP by default, UDP with SOCK_DGRAM). Another process
    could take it before the caller does; the tests accept that small race, as QEMU's do."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
