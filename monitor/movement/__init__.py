"""Movement-models registry: types, instances, reviews, reports and import."""
