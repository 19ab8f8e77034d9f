"""Alerts: rule kinds and their messages, raising and clearing alerts, and delivering them."""
