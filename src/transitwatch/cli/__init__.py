"""The ``transitwatch`` command line: a thin edge over the lists, store and screening core."""
