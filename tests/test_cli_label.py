"""``jobclassify label`` end to end on small and broken CSV files."""

import csv
import gzip
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from jobclassify.cli import main

HEADER = "id,title,description\n"
DEV = "Own Jenkins CI/CD pipelines, canary releases and Helm deployments with the developers."
CLD = "Design AWS landing zones, VPC networking, IAM guardrails, disaster recovery and cost."


def run(args, capsys=None):
    code = main(args)
    out = capsys.readouterr() if capsys else None
    return code, out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture()
def good(tmp_path):
    p = tmp_path / "in.csv"
    p.write_text(HEADER + f'1,DevOps Engineer,"{DEV}"\n2,Cloud Engineer,"{CLD}"\n3,Nurse,\n', encoding="utf-8")
    return p


@pytest.mark.skipif(os.name != "posix", reason="file permission bits are POSIX")
def test_labelled_file_is_readable_like_any_new_file(good, tmp_path):
    out = tmp_path / "out.csv"
    umask = os.umask(0o022)
    try:
        assert main(["label", str(good), "-o", str(out)]) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_label_csv_adds_columns_and_keeps_rows(good, tmp_path, capsys):
    out = tmp_path / "out.csv"
    code, cap = run(["label", str(good), "-o", str(out)], capsys)
    assert code == 0
    rows = read_csv(out)
    assert rows[0] == [
        "id",
        "title",
        "description",
        "label",
        "confidence",
        "p_cloud",
        "p_devops",
        "p_hybrid",
        "p_other",
        "status",
    ]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][3] == "devops" and rows[2][3] == "cloud"
    assert rows[3][3] == "" and rows[3][-1] == "empty"
    assert rows[1][2] == DEV  # input columns unchanged
    assert "rows in: 3, rows out: 3" in cap.err


def test_evidence_and_min_confidence(good, tmp_path):
    out = tmp_path / "out.csv"
    assert main(["label", str(good), "-o", str(out), "--evidence", "--min-confidence", "0.999999", "-q"]) == 0
    rows = read_csv(out)
    assert rows[0][-2:] == ["evidence", "needs_review"]
    assert "jenkins" in json.loads(rows[1][-2])["devops"]["cicd_tools"]
    assert rows[3][-1] == "true"  # no text: always needs review


def test_jsonl_and_parquet_outputs(good, tmp_path):
    pd = pytest.importorskip("pandas")
    j = tmp_path / "o.jsonl"
    assert main(["label", str(good), "-o", str(j), "-q"]) == 0
    recs = [json.loads(line) for line in j.read_text().splitlines()]
    assert [r["id"] for r in recs] == ["1", "2", "3"] and recs[2]["label"] == ""
    pytest.importorskip("pyarrow")
    pq = tmp_path / "o.parquet"
    assert main(["label", str(good), "-o", str(pq), "-q"]) == 0
    df = pd.read_parquet(pq)
    assert list(df["id"]) == ["1", "2", "3"] and df["label"].iloc[0] == "devops"


def test_gzip_and_stdin_stdout(good, tmp_path):
    gz = tmp_path / "in.csv.gz"
    gz.write_bytes(gzip.compress(good.read_bytes()))
    out = tmp_path / "gz.csv"
    assert main(["label", str(gz), "-o", str(out), "-q"]) == 0
    assert len(read_csv(out)) == 4
    proc = subprocess.run(
        [sys.executable, "-m", "jobclassify.cli", "label", "-", "-o", "-", "-q"],
        input=good.read_bytes(),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 4 and lines[0].endswith(",status")


def test_parallel_jobs_keep_order(tmp_path):
    p = tmp_path / "many.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "description"])
        for i in range(450):
            w.writerow([i, DEV if i % 3 else CLD])
    out1, out2 = tmp_path / "o1.csv", tmp_path / "o2.csv"
    assert main(["label", str(p), "-o", str(out1), "-q", "--jobs", "1", "--chunk-rows", "100"]) == 0
    assert main(["label", str(p), "-o", str(out2), "-q", "--jobs", "2", "--chunk-rows", "100"]) == 0
    a, b = read_csv(out1), read_csv(out2)
    assert a == b and [r[0] for r in a[1:]] == [str(i) for i in range(450)]


BROKEN = {
    "ragged": (HEADER + f'1,a,"{DEV}"\n2,b\n3,c,"{CLD}",extra\n4,d,ok\n').encode(),
    "stray_quote": (HEADER + f'1,a,"{DEV}"x\n2,b,"fine"\n').encode(),
    "unterminated": (HEADER + f'1,a,"{DEV}"\n2,b,"never closed\n3,c,"{CLD}"\n').encode(),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_bad_lines_error_skip_keep(tmp_path, capsys, name):
    p = tmp_path / f"{name}.csv"
    p.write_bytes(BROKEN[name])
    out = tmp_path / "o.csv"
    code, cap = run(["label", str(p), "-o", str(out)], capsys)
    assert code == 1 and "line " in cap.err and "Traceback" not in cap.err
    assert not out.exists(), "no partial output on error"
    code, cap = run(["label", str(p), "-o", str(out), "--on-bad-line", "skip"], capsys)
    assert code == 0
    n_in = int(cap.err.split("rows in: ")[1].split(",")[0])
    skipped = int(cap.err.split("skipped bad lines: ")[1].split("\n")[0])
    assert skipped >= 1 and len(read_csv(out)) - 1 == n_in - skipped
    code, cap = run(["label", str(p), "-o", str(out), "--on-bad-line", "keep"], capsys)
    rows = read_csv(out)
    assert code == 0 and len(rows) - 1 == n_in
    assert "bad_line" in [r[-1] for r in rows[1:]]
    assert all(len(r) == len(rows[0]) for r in rows)


def test_ragged_reports_line_numbers(tmp_path, capsys):
    p = tmp_path / "r.csv"
    p.write_bytes(BROKEN["ragged"])
    code, cap = run(["label", str(p), "-o", str(tmp_path / "o.csv"), "--on-bad-line", "skip"], capsys)
    assert "line 3: expected 3 fields, found 2" in cap.err
    assert "line 4: expected 3 fields, found 4" in cap.err


def test_bom_latin1_nul(tmp_path, capsys):
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (HEADER + f'1,a,"{DEV}"\n').encode())
    out = tmp_path / "o.csv"
    assert main(["label", str(bom), "-o", str(out), "-q"]) == 0
    assert read_csv(out)[0][0] == "id"

    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "1,Ingénieur DevOps,Pipelines CI/CD à Zürich\n").encode("latin-1"))
    code, cap = run(["label", str(latin), "-o", str(out)], capsys)
    assert code == 1 and "cannot decode the input as utf-8-sig at byte" in cap.err and "--encoding" in cap.err
    assert main(["label", str(latin), "-o", str(out), "-q", "--encoding", "latin-1"]) == 0
    assert read_csv(out)[1][1] == "Ingénieur DevOps"

    nul = tmp_path / "nul.csv"
    nul.write_bytes((HEADER + f'1,a,"{DEV}\x00\x00"\n').encode())
    code, cap = run(["label", str(nul), "-o", str(out)], capsys)
    assert code == 0 and "NUL bytes removed: 2" in cap.err


def test_empty_header_only_missing_column(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, cap = run(["label", str(empty), "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 1 and "empty" in cap.err

    head = tmp_path / "head.csv"
    head.write_text(HEADER, encoding="utf-8")
    out = tmp_path / "h.csv"
    assert main(["label", str(head), "-o", str(out), "-q"]) == 0
    assert len(read_csv(out)) == 1

    nocol = tmp_path / "nocol.csv"
    nocol.write_text("id,foo\n1,bar\n", encoding="utf-8")
    code, cap = run(["label", str(nocol), "-o", str(out)], capsys)
    assert code == 1 and "no text column found" in cap.err and "['id', 'foo']" in cap.err
    code, cap = run(["label", str(nocol), "-o", str(out), "--text-column", "nope"], capsys)
    assert code == 1 and "'nope' not found" in cap.err


def test_odd_column_names_and_big_field(tmp_path):
    p = tmp_path / "odd.csv"
    big = "Jenkins CI/CD pipelines. " * (10_000_000 // 25)
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Job Description", "Stellentitel é", "Job Description"])
        w.writerow([DEV, "x", "dup"])
        w.writerow([big, "y", "dup"])
    out = tmp_path / "o.csv"
    assert main(["label", str(p), "-o", str(out), "-q"]) == 0
    rows = read_csv(out)
    assert rows[0][:3] == ["Job Description", "Stellentitel é", "Job Description"]
    assert rows[1][3] == "devops" and rows[2][-1] == "truncated" and len(rows[2][0]) == len(big)


def test_refuses_to_overwrite_input(good, capsys):
    code, cap = run(["label", str(good), "-o", str(good)], capsys)
    assert code == 1 and "over the input" in cap.err


def test_missing_input_and_bad_model(tmp_path, good, capsys):
    code, cap = run(["label", str(tmp_path / "nope.csv")], capsys)
    assert code == 1 and "not found" in cap.err
    bad = tmp_path / "bad.skops"
    bad.write_bytes(b"junk")
    code, cap = run(["label", str(good), "--model", str(bad)], capsys)
    assert code == 1 and "not a jobclassify model" in cap.err


def test_interrupted_run_leaves_no_partial_file(tmp_path):
    """Ctrl-C while the run is mid-way (blocked reading a pipe that we keep open)."""
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobclassify.cli", "label", "-", "-o", str(out), "--jobs", "1"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # a CI runner may start us with SIGINT ignored, which children inherit; undo that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    rows = "".join(f'{i},"{DEV}"\n' for i in range(3000))
    proc.stdin.write(("id,description\n" + rows).encode())
    proc.stdin.flush()
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob(".out.csv.*.tmp")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.csv.*.tmp")), "the run started writing its temporary file"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and "jobclassify" in capsys.readouterr().out
    for verb in ("label", "classify", "taxonomy"):
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        assert "usage:" in capsys.readouterr().out


def test_classify_and_taxonomy_verbs(capsys):
    assert main(["classify", DEV, "--title", "DevOps Engineer"]) == 0
    out = capsys.readouterr().out
    assert "label: devops" in out and "jenkins" in out
    assert main(["classify", DEV, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "devops"
    assert main(["classify", "   "]) == 1
    assert "cannot classify" in capsys.readouterr().err
    assert main(["taxonomy", "--format", "json"]) == 0
    assert "cicd" in json.loads(capsys.readouterr().out)["groups"]


def test_csv_records_pass_through_unchanged(tmp_path):
    """Well-formed records keep their own text (quoting, CRLF inside fields); only columns are added."""
    src = tmp_path / "in.csv"
    records = [
        "id,title,description\r\n",
        '1,"Cloud, AWS","Run ""landing zones"" on AWS,\r\nwith VPCs and IAM."\r\n',
        '"2",DevOps,' + '"' + DEV + '"\r\n',
        '3,,"multi\nline\n\ntext with Terraform"\r\n',
        "4,x,\r\n",
    ]
    src.write_text("".join(records), encoding="utf-8", newline="")
    out = tmp_path / "out.csv"
    assert run(["label", str(src), "-o", str(out), "--jobs", "1", "-q"])[0] == 0
    text = out.read_bytes().decode("utf-8")
    for rec in records[1:]:
        assert rec.rstrip("\r\n") + "," in text
    with open(src, newline="", encoding="utf-8") as f:
        rows_in = list(csv.reader(f))
    with open(out, newline="", encoding="utf-8") as f:
        rows_out = list(csv.reader(f))
    assert len(rows_out) == len(rows_in)
    assert [r[:3] for r in rows_out] == rows_in
    assert rows_out[0][3:5] == ["label", "confidence"] and rows_out[4][-1] == "empty"
