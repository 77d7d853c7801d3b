"""corridor report and corridor chart: briefings and charts over the analysis layer."""
