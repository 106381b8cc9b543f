"""Goods knowledge on the staged HS nomenclature (../shared/data/hs_nomenclature, see its
PROVENANCE.md): both editions load, the UNSD correlation maps known HS2017 codes, every CHPL
code exists in HS 2022 with a description."""

from __future__ import annotations

from pathlib import Path

import pytest

from transitwatch.goods import GoodsKnowledge, HsNomenclature

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hs_dir(shared_data_dir: Path) -> Path:
    path = shared_data_dir / "hs_nomenclature"
    if not path.is_dir():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="module")
def hs(hs_dir: Path) -> HsNomenclature:
    return HsNomenclature.load(hs_dir)


def test_both_editions_load(hs: HsNomenclature) -> None:
    # PROVENANCE.md: 5,613 HS2022 and 5,388 HS2017 subheadings, 97 chapters each
    for edition, subheadings, headings in (("2022", 5613, 1229), ("2017", 5388, 1223)):
        codes = hs.descriptions[edition]
        assert sum(len(c) == 6 for c in codes) == subheadings
        assert sum(len(c) == 4 for c in codes) == headings
        assert sum(len(c) == 2 for c in codes) == 97
    assert hs.exists("880622", "2022") and not hs.exists("880622", "2017")  # 8806 is new in 2022
    assert hs.exists("852580", "2017") and not hs.exists("852580", "2022")
    described = hs.describe("8542310000")
    assert described is not None and described.startswith("Electronic integrated circuits; proc")


@pytest.mark.parametrize(
    ("hs2017", "hs2022"),
    [
        ("880330", {"880730"}),  # parts of aircraft → parts incl. unmanned aircraft
        ("854140", {"854141", "854142", "854143", "854149"}),  # photosensitive devices split
        ("854231", {"854231"}),
        ("848210", {"848210"}),
    ],
)
def test_concordance_maps_known_hs2017_codes(
    hs: HsNomenclature, hs2017: str, hs2022: set[str]
) -> None:
    assert hs2022 <= {c.hs2022 for c in hs.hs2022_for(hs2017)}


def test_camera_drones_of_hs2017_went_to_8806(hs: HsNomenclature) -> None:
    # HS2017 852580 (incl. camera drones) correlates with HS2022 8806xx and 8525.8x
    targets = {c.hs2022 for c in hs.hs2022_for("852580")}
    assert "880622" in targets and any(t.startswith("85258") for t in targets)
    assert "852580" in {c.hs2017 for c in hs.hs2017_for("880622")}


def test_every_chpl_code_exists_in_hs2022(hs_dir: Path) -> None:
    gk = GoodsKnowledge.default(hs_dir=hs_dir)
    chpl = gk.get_list("chpl")
    assert chpl is not None and len(chpl.entries) == 50
    assert gk.hs is not None
    for entry in chpl.entries:
        assert gk.hs.exists(entry.code, "2022"), entry.code
        assert gk.describe(entry.code), entry.code
    for entry in gk.get_list("kg_drone_export_ban").entries:  # type: ignore[union-attr]
        assert gk.hs.describe(entry.code, "2022"), entry.code
