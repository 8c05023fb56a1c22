"""The inspection screens under /manage/inspections/: what falls due where, assignments for
inspectors, field records held in quarantine, an asset's condition history and the
condition charts. Thin views over inspections' selectors, stats and services.

Every staff member reads (viewers included); managers and section staff make assignments;
managers decide held records (the service allows no one else). Whatever lies outside the
user's organisations is 404, as if it did not exist.
"""
