"""Dialogs: import, export, style editor and messages."""
