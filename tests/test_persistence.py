import os
import stat
import warnings
import zipfile

import pytest
import skops.io as sio

from jobclassify import KeywordClassifier, ModelFileError, ModelVersionWarning, load_model, save_model
from jobclassify.persistence import FORMAT, atomic_write_bytes

TEXTS = [
    "Jenkins pipelines and canary releases",
    "AWS VPC landing zone design",
    "Java developer",
    "both aws and jenkins",
]
Y = ["devops", "cloud", "other", "hybrid"]


@pytest.fixture()
def model():
    return KeywordClassifier().fit(TEXTS, Y)


def test_round_trip_with_metadata(tmp_path, model):
    path = tmp_path / "kw.skops"
    save_model(model, path, metadata={"training_data_sha256": "abc", "metrics": {"macro_f1": 0.5}})
    loaded, meta = load_model(path, with_metadata=True)
    assert (loaded.predict(TEXTS) == model.predict(TEXTS)).all()
    for key in ("jobclassify_version", "sklearn_version", "labels", "created"):
        assert key in meta
    assert meta["metrics"] == {"macro_f1": 0.5} and meta["training_data_sha256"] == "abc"
    assert not list(tmp_path.glob("*.tmp")), "no temporary file is left behind"


def test_foreign_types_are_refused_unless_trusted(tmp_path):
    class Evil:  # a type that is not on the allow-list
        pass

    path = tmp_path / "evil.skops"
    path.write_bytes(sio.dumps({"format": FORMAT, "format_version": 1, "metadata": {}, "estimator": Evil()}))
    with pytest.raises(ModelFileError, match="not on the allow-list"):
        load_model(path)
    # trusting lifts the allow-list (the class is importable only in this test module's scope)
    with pytest.raises(ModelFileError):
        load_model(path, trusted=True)


def test_operator_calls_in_a_tampered_file_are_refused(tmp_path, model):
    path = tmp_path / "m.skops"
    save_model(model, path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    schema = files["schema.json"].decode()
    tampered = schema.replace('"__module__": "jobclassify.keyword_classifier"', '"__module__": "os"', 1)
    tampered = tampered.replace('"__class__": "KeywordClassifier"', '"__class__": "system"', 1)
    assert tampered != schema
    files["schema.json"] = tampered.encode()
    bad = tmp_path / "tampered.skops"
    with zipfile.ZipFile(bad, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    with pytest.raises(ModelFileError, match="allow-list"):
        load_model(bad)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_damaged_or_foreign_files(tmp_path, content):
    path = tmp_path / "x.skops"
    path.write_bytes(content)
    with pytest.raises(ModelFileError):
        load_model(path)


def test_skops_file_that_is_not_a_jobclassify_model(tmp_path):
    path = tmp_path / "plain.skops"
    path.write_bytes(sio.dumps({"just": "a dict"}))
    with pytest.raises(ModelFileError, match="not a jobclassify model"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "nope.skops")


def test_other_sklearn_version_warns_with_advice(tmp_path, model):
    path = tmp_path / "old.skops"
    save_model(model, path, metadata={"sklearn_version": "0.24.2"})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        load_model(path)
    msgs = [str(w.message) for w in rec if issubclass(w.category, ModelVersionWarning)]
    assert msgs and "0.24.2" in msgs[0] and "jobclassify train" in msgs[0]


def test_save_is_atomic_when_dump_fails(tmp_path, model, monkeypatch):
    path = tmp_path / "m.skops"
    save_model(model, path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    import jobclassify.persistence as pers

    monkeypatch.setattr(pers, "atomic_write_bytes", pers.atomic_write_bytes)
    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(RuntimeError):
        save_model(model, path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.skipif(os.name != "posix", reason="file permission bits are POSIX")
def test_written_files_get_the_usual_permissions(tmp_path):
    """A temporary file is owner-only; the file renamed from it must not be."""
    umask = os.umask(0o022)
    try:
        new = tmp_path / "new.bin"
        atomic_write_bytes(new, b"a")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        kept = tmp_path / "kept.bin"
        kept.write_bytes(b"old")
        kept.chmod(0o640)
        atomic_write_bytes(kept, b"new")
        assert kept.read_bytes() == b"new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(umask)
