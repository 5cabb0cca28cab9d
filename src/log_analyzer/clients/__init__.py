"""The LLM client (llama.cpp) and the protocol the pipeline sees."""
