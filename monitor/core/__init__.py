"""Shared kernel: settings, database, models, migrations, errors, crypto, access, audit, i18n."""
