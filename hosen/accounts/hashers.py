"""The password hasher: Argon2id with parameters a two-core server can afford for a morning's sign-ins.

Django's `Argon2PasswordHasher` defaults to time_cost 2, memory 100 MiB, parallelism 8. On Hosen's 2-core
machine that is about 190 ms of CPU per hash (measured with argon2-cffi 25.1, 2026-12): 200 managers signing
in within a few minutes would keep both cores busy with hashing alone, and every page waits behind them.

The OWASP Password Storage Cheat Sheet lists five argon2id settings of equal strength (memory × passes
held constant): m=47104 KiB t=1, m=19456 KiB t=2, m=12288 KiB t=3, m=9216 KiB t=4, m=7168 KiB t=5, all
with p=1. Measured here, one hash costs in CPU time:

    m=46 MiB t=1  41 ms      m=19 MiB t=2  19 ms      m=12 MiB t=3  17 ms
    m=9 MiB  t=4  17 ms      m=7 MiB  t=5  16 ms      (Django's default: 187 ms)

We take m=19 MiB, t=2, p=1: the cheat sheet's first-listed setting, within 2 ms of the cheapest, and with
the most memory of the cheap ones (memory is what makes GPU and ASIC guessing costly). parallelism 1: with
four gunicorn workers on two cores, more lanes only add threads that compete for the same cores.

The algorithm name stays "argon2", so hashes made with Django's defaults (or any older parameters) still
verify — Argon2 stores its parameters in the hash — and `must_update` finds their parameters differ from
these: Django's `check_password` then stores a new hash with these parameters at that sign-in. The first
sign-in of such an account still pays the old cost once. `harden_runtime` (which pads the time of a check
against a cheaper old hash, so that timing does not tell old accounts from new) stays Django's no-op for
Argon2: every older Hosen hash is costlier than these parameters, not cheaper.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class HosenArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
