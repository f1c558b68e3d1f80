"""Runs a program where io_uring is forbidden, as a container's seccomp profile forbids it.

    /usr/bin/python3 scripts/forbid-io-uring.py PROGRAM [ARG...]

A seccomp filter (libseccomp's Python binding: Debian's python3-seccomp, installed by
scripts/seccomp-setup.sh) answers EPERM to io_uring_setup, io_uring_enter and
io_uring_register and lets every other system call through; then PROGRAM replaces this
process, filter and all. crates/sansock-compio/tests/loopback.rs runs itself this way to show
compio falling back to epoll. Debian's python3, not another on the PATH: the binding is built
for it.
"""

import errno
import os
import sys

import seccomp

rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
    rules.add_rule(seccomp.ERRNO(errno.EPERM), call)
rules.load()
os.execv(sys.argv[1], sys.argv[1:])
