"""Pure analytics tools: defect detection, failure prediction and SPC."""
