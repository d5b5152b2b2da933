"""Analyses: pure functions of a site (or its graph) returning plain values or pydantic models."""
