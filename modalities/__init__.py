"""Modality encoders: voice notes to text, images to descriptions and embeddings."""
