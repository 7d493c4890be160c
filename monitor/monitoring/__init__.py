"""Probing on a schedule: scheduler, leadership, runner, run-once, workers, pictures, retention."""
