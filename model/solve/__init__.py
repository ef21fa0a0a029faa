"""Solving: compile once and hand to HiGHS, in-place re-solves of variants, one scenario end to end
(`run`), and the worker processes of the isolated solve and of batches."""
