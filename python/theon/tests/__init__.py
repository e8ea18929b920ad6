"""Helpers for Theano-style test files (``theano.tests.unittest_tools``)."""
