"""The tablets' API: sign-in per device, assignments, work packs, changes, batch sync,
photos and condition history. Thin: each view checks input and calls one service or
selector of inspections."""
