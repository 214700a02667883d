"""Map canvas: layer model, styles, off-thread rendering and map tools."""
