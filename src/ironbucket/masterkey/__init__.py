"""The master key's life with the data: opening it at start (sources, the stored check value,
finishing an interrupted rotation) and ``ironbucket admin rotate-master-key``."""
