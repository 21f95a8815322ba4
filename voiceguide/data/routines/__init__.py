"""Preset routines, one TOML file each, in the routine-file format."""
