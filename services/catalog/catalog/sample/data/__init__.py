"""Vocabulary tables of the sample catalog: plain Python literals, one module per subject."""
