"""Mapping a big EDIFACT interchange on several processes while one persists it.

`messages` is the pure per-message work (split, validate, map, flatten into a record), the same
code whether it runs in-process or in a worker; `pool` runs it in worker processes, in order.
"""
