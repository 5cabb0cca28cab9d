"""One client per upstream (Loki, llama.cpp) and the protocols they satisfy."""
