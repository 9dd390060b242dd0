"""Long-term memory: records, the packaged sentence embedder and the Chroma-backed store."""
