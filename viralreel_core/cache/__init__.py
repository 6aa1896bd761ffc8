"""The asset cache: paid results kept on disk by a hash of what made them, and the folder's upkeep."""
