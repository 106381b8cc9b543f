"""Party screening: candidate retrieval and an explainable, calibrated scorer."""
