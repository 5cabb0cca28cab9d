"""One run, for analyses and recipes alike: store queries, CPU work in workers, fit, stream."""
