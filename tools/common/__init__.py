"""What every layer may import: the error hierarchy, the device choice and the intent labels."""
