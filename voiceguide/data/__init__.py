"""Data files shipped with voiceguide: the catalog and the preset routines."""
