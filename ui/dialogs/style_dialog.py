"""Style editor: single colour, categorised by a field, graduated by a figure; labels."""

from __future__ import annotations

import pandas as pd
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ui.canvas.layer_model import MapLayer
from ui.canvas.styles import LayerStyle
from ui.i18n import tr

MODES = (("single", "Single colour"), ("categorised", "Categorised by a field"),
         ("graduated", "Graduated by a figure"))


class StyleDialog(QDialog):
    """Edit one layer's :class:`LayerStyle`."""

    def __init__(self, layer: MapLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Style of {layer}").format(layer=layer.name))
        self.layer = layer
        style = layer.style
        self.mode = QComboBox()
        for key, label in MODES:
            self.mode.addItem(tr(label), key)
        self.mode.setCurrentIndex([m[0] for m in MODES].index(style.mode))
        columns = [str(c) for c in layer.frame.columns if c != layer.frame.geometry.name]
        numeric = [c for c in columns if pd.api.types.is_numeric_dtype(layer.frame[c])]
        self.field = QComboBox()
        self.field.addItems(columns)
        if style.field in columns:
            self.field.setCurrentText(style.field)
        self.numeric = numeric
        self.classes = QSpinBox()
        self.classes.setRange(2, 9)
        self.classes.setValue(style.classes)
        self.colour = style.colour
        self.colour_button = QPushButton(style.colour)
        self.colour_button.clicked.connect(self._pick)
        self.size_px = QDoubleSpinBox()
        self.size_px.setRange(0.0, 20.0)
        self.size_px.setValue(style.size_px)
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.0, 1.0)
        self.alpha.setSingleStep(0.05)
        self.alpha.setValue(style.fill_alpha)
        self.label = QComboBox()
        self.label.addItem(tr("(none)"), "")
        for c in columns:
            self.label.addItem(c, c)
        self.label.setCurrentIndex(max(self.label.findData(style.label_field), 0))
        form = QFormLayout(self)
        form.addRow(tr("Style"), self.mode)
        form.addRow(tr("Field"), self.field)
        form.addRow(tr("Classes"), self.classes)
        form.addRow(tr("Colour"), self.colour_button)
        form.addRow(tr("Size / width (px)"), self.size_px)
        form.addRow(tr("Fill opacity"), self.alpha)
        form.addRow(tr("Label"), self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _pick(self) -> None:
        colour = QColorDialog.getColor(QColor(self.colour), self)
        if colour.isValid():
            self.colour = colour.name()
            self.colour_button.setText(self.colour)

    def chosen_style(self) -> LayerStyle:
        """Return the style as edited."""
        return self.layer.style.with_(
            mode=self.mode.currentData(), field=self.field.currentText(),
            classes=self.classes.value(), colour=self.colour, size_px=self.size_px.value(),
            fill_alpha=self.alpha.value(), label_field=self.label.currentData() or "",
            breaks=())
