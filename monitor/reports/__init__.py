"""Reports for police, crews and committees: outages, coverage, availability, exports."""
