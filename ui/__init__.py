"""Desktop app (Qt only): windows, canvas, panels, dialogs, workers."""
