"""Model training scripts in the transformers-example shape."""
