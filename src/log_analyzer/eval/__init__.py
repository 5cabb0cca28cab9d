"""Golden incidents with their truth, and the evaluation of the analysis on them."""
