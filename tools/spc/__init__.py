"""Statistical process control: charts, run rules, capability, measurement files, plots."""
