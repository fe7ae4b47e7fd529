"""The bundled default model is what ``python -m jobclassify.train_default`` builds from ``datasets/``.

If this fails, the corpus, the taxonomy or the training code changed without the default model being
rebuilt (run ``python -m jobclassify.train_default`` and commit ``models/default``).
"""

from pathlib import Path

import numpy as np
import pytest
import sklearn

from jobclassify import train_default
from jobclassify.persistence import load_model

BUNDLED = Path(__file__).resolve().parents[1] / "models" / "default"


@pytest.mark.slow
def test_rebuilding_gives_the_bundled_model_bit_for_bit(tmp_path, capsys):
    bundled, meta = load_model(BUNDLED / "model.skops", with_metadata=True)
    built_with = (meta["sklearn_version"], meta["numpy_version"])
    if built_with != (sklearn.__version__, np.__version__):
        pytest.skip(
            f"bundled model built with scikit-learn/numpy {built_with}; a fit elsewhere may differ in the last bits"
        )
    assert train_default.main(["--out", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    with (
        np.load(BUNDLED / "model.npz", allow_pickle=False) as old,
        np.load(tmp_path / "model.npz", allow_pickle=False) as new,
    ):
        assert sorted(new.files) == sorted(old.files)
        for name in old.files:
            np.testing.assert_array_equal(new[name], old[name], err_msg=name)
    texts = ["Own our Jenkins pipelines and canary releases.", "Design our AWS VPCs, IAM and backups."]
    rebuilt = load_model(tmp_path / "model.skops")
    np.testing.assert_array_equal(rebuilt.predict_proba(texts), bundled.predict_proba(texts))
