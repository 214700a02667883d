"""The reader errors a hostile file meets read in Chinese when the interface is Chinese."""

from __future__ import annotations

import os

import pytest

from gridplanner.i18n import set_language
from gridplanner.text import error_message
from layers import ReadError
from layers.io import check_input_file, read_file


def _pipe(tmp_path):
    path = tmp_path / "h.csv"
    os.mkfifo(path)
    check_input_file(path)


def _device(tmp_path):
    path = tmp_path / "h.csv"
    path.symlink_to("/dev/zero")
    check_input_file(path)


def _mixed(tmp_path):
    path = tmp_path / "h.csv"
    lines = ["household_id,address,lon,lat", "H1,网格一号,119.647,29.079",
             "H2,网格二号,119.648,29.079", "H3,网格三号,119.649,29.079"]
    path.write_bytes(b"\n".join(line.encode("gbk" if i % 2 else "utf-8")
                                for i, line in enumerate(lines)))
    read_file(path)


def _twice(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("household_id,households,lon,lat,households\n"
                    "A,20,119.647,29.079,5\nB,30,119.648,29.079,30\n", encoding="utf-8")
    read_file(path)


@pytest.mark.parametrize(("make", "words"), [(_pipe, "命名管道"), (_device, "设备"),
                                             (_mixed, "两种编码"), (_twice, "出现两次")])
def test_reader_errors_of_hostile_files_read_in_chinese(tmp_path, make, words):
    with pytest.raises(ReadError) as caught:
        make(tmp_path)
    set_language("zh_CN")
    text = error_message(str(caught.value.message))
    assert words in text
    assert str(tmp_path) in text
