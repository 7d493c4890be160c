"""The registry: areas, hosts, cameras, crews and users, with scoping and auditing."""
