"""Runs a command in a pseudo-terminal (Python's stdlib pty) of 120 x 40 and copies everything the
command writes to its terminal (stdout and stderr alike) to this process's stdout. Exits with the
command's exit code. Usage: python pty-run.py COMMAND [ARG]...
"""

import fcntl
import os
import pty
import struct
import sys
import termios

pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the command closed the terminal
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
