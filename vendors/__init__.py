"""Businesses, their products and documents, and their applications to fairs."""
