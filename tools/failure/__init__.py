"""Machine failure prediction: readings, rules, the model and its explanations."""
