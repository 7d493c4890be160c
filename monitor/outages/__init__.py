"""Judging results: health states (evaluator), incidents and grouping, fault tickets."""
