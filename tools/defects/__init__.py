"""Defect inspection: photo loading, the model and its heatmaps."""
