"""The trace formats and modes ``podbench replay`` accepts, apart from ``bench.replay`` so
the command line starts without importing the simulator."""

FORMATS = ("podbench", "openb", "alibaba-v2017", "alibaba-dlrm")
MODES = ("time", "fill")
