"""Labelling in blocks of whole records gives exactly what labelling line by line gives."""

from __future__ import annotations

import numpy as np
import pytest

import jobclassify.batch as batch
import jobclassify.record_blocks as rb
from jobclassify.batch import LabelError, label_csv

HEADER = 'id,title,"description"\r\n'
ROWS = [
    '1,DevOps Engineer,"Own CI/CD, Jenkins and ""blue/green"" releases.\nOn call.\n\nHelm."\r\n',
    "2,Cloud Engineer,Design AWS landing zones and VPC networking\r\n",
    "\r\n",  # a blank line: not a row
    '3,"Cloud, Azure",""\n',
    "4,Nurse,Care for patients on the ward – Zürich, naïve café\n",
    "5,too,many,fields,here\n",
    "6,short\n",
    '7,"x\x00y","Terraform\x00 on GCP"\n',
    '8,Platform,"Kubernetes ""operators""\r\nand Argo CD"\n',
]


def _write(path, rows, tail=""):
    path.write_bytes((HEADER + "".join(rows) + tail).encode("utf-8"))
    return path


def _label(tmp_path, src, monkeypatch, serial: bool, **kw):
    out = tmp_path / ("serial" if serial else "blocks")
    with monkeypatch.context() as m:
        m.setattr(rb, "BLOCK", 64)  # many reads and blocks, records cut across reads
        if serial:
            m.setattr(batch, "read_header", lambda raw, enc: (raw.read(), b"", False))
        summary = label_csv(str(src), str(out), chunk_rows=2, **{"fmt": "csv", **kw})
    if kw.get("fmt") == "parquet":  # row groups may differ; the table may not
        import pyarrow.parquet as pq

        return pq.read_table(out).to_pylist(), summary
    return out.read_bytes(), summary


def _same(a, b):
    (out_a, s_a), (out_b, s_b) = a, b
    assert out_a == out_b
    for key in ("rows_in", "rows_out", "skipped", "nul_bytes", "bad_lines", "labels", "statuses"):
        assert getattr(s_a, key) == getattr(s_b, key), key


@pytest.mark.parametrize(("on_bad_line", "evidence"), [("skip", True), ("keep", True), ("keep", False)])
@pytest.mark.parametrize("jobs", [1, 2])
def test_blocks_equal_lines(tmp_path, monkeypatch, on_bad_line, evidence, jobs):
    src = _write(tmp_path / "in.csv", ROWS * 5)
    kw = {"on_bad_line": on_bad_line, "jobs": jobs, "evidence": evidence, "min_confidence": 0.5}
    blocks = _label(tmp_path, src, monkeypatch, False, **kw)
    _same(blocks, _label(tmp_path, src, monkeypatch, True, **kw))
    assert blocks[1].rows_in == 8 * 5 and len(blocks[1].bad_lines) == 3 * 5


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_blocks_equal_lines_other_formats(tmp_path, monkeypatch, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    src = _write(tmp_path / "in.csv", ROWS * 3)
    kw = {"on_bad_line": "keep", "jobs": 1, "fmt": fmt}
    _same(_label(tmp_path, src, monkeypatch, False, **kw), _label(tmp_path, src, monkeypatch, True, **kw))


@pytest.mark.parametrize(
    "tail",
    [
        '9,odd,a 5" screen and a 6" case\n10,after,Terraform modules\n',  # quotes inside an unquoted field
        '9,odd,"closed"then more\n10,after,Terraform\n',  # text after a closing quote
        "9,odd,bare\rreturn\n10,after,Terraform\n",  # a lone carriage return
        "9,last,no newline at the end",
        '9,open,"never closed\n10,x,y\n',
    ],
)
def test_quoting_that_is_not_plain_goes_line_by_line_from_there(tmp_path, monkeypatch, tail):
    src = _write(tmp_path / "in.csv", ROWS * 4, tail)
    kw = {"on_bad_line": "keep", "jobs": 1}
    _same(_label(tmp_path, src, monkeypatch, False, **kw), _label(tmp_path, src, monkeypatch, True, **kw))


def test_error_in_a_later_block_names_the_same_line(tmp_path, monkeypatch):
    src = _write(tmp_path / "in.csv", ROWS[:2] * 6 + ROWS[5:6] + ROWS[:2])
    messages = []
    for serial in (False, True):
        with pytest.raises(LabelError) as exc:
            _label(tmp_path, src, monkeypatch, serial, on_bad_line="error", jobs=2)
        messages.append(str(exc.value))
    assert messages[0] == messages[1] and "line 32" in messages[0]


def test_undecodable_bytes_in_a_later_block_give_the_same_position(tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    src.write_bytes((HEADER + "".join(ROWS[:2] * 6)).encode() + b"9,bad,caf\xe9\n")
    messages = []
    for serial in (False, True):
        with pytest.raises(LabelError) as exc:
            _label(tmp_path, src, monkeypatch, serial, jobs=1)
        messages.append(str(exc.value))
    assert messages[0] == messages[1] and "at byte" in messages[0]


def test_record_ends_follow_quotes():
    data = b'a,"x\ny"\n"q ""r"",\ns",t\r\nu\n'
    ends = rb.record_ends(np.frombuffer(data, dtype=np.uint8))
    assert ends.tolist() == [8, 24, 26]
    assert rb.block_encoding("utf-8-sig") == "utf-8" and rb.block_encoding("utf-16") is None


def test_the_sample_file_takes_the_block_path_whole(monkeypatch):
    """A regression guard for speed: ordinary CSV must not fall back to the line-by-line reader."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "datasets" / "sample_postings.csv"
    monkeypatch.setattr(rb, "BLOCK", 256)
    with open(path, "rb") as f:
        head, after, plain = rb.read_header(f, "utf-8-sig")
        blocks = rb.RecordBlocks(f, after, head.count(b"\n"), len(head), rows=3)
        got = list(blocks)
    assert plain and blocks.plain and not blocks.rest
    assert sum(len(ends) for *_, ends in got) == 12  # the sample's 12 postings, in blocks of at most 3
    assert b"".join(data for data, *_ in got) == path.read_bytes()[len(head) :]


@pytest.mark.parametrize("serial", [False, True])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_undecodable_byte_position_counts_a_byte_order_mark_and_held_over_bytes(tmp_path, monkeypatch, serial, bom):
    src = tmp_path / "in.csv"
    # a two-byte character cut by a read boundary, then a bad byte
    data = bom + b"id,title,description\n" + b"1,a," + "é".encode() * 40 + b"\n2,b,caf\xe9\n"
    src.write_bytes(data)
    bad = data.index(b"caf") + 3
    for size in (5, 6, 7, 8, 1 << 20):  # reads that cut characters, at every alignment, and one whole read
        monkeypatch.setattr(batch._LineSource, "BLOCK", size)
        with pytest.raises(LabelError, match=rf"at byte {bad} \(line 3\)"):
            _label(tmp_path, src, monkeypatch, serial, jobs=1)


def test_random_csv_gives_the_same_result_both_ways(tmp_path, monkeypatch):
    """Seeded random files from quoting's awkward pieces: output, counts and errors are the same."""
    import random

    pieces = ['"', '""', ",", "\n", "\r\n", "\r", "a", "aws ", "ci/cd ", "é", "\x00", " ", 'x"y', '"q,\nr"']
    rng = random.Random(20261127)
    for case in range(60):
        src = tmp_path / f"r{case}.csv"
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        src.write_bytes(("id,title,description\n" + body).encode("utf-8"))
        for policy in ("keep", "error"):
            results = []
            for serial in (False, True):
                try:
                    out, summary = _label(tmp_path, src, monkeypatch, serial, on_bad_line=policy, jobs=1)
                    results.append((out, summary.rows_in, summary.rows_out, summary.bad_lines, summary.nul_bytes))
                except LabelError as exc:
                    results.append(str(exc))
            assert results[0] == results[1], (case, policy, body)
