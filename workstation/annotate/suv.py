"""Standardized uptake values (PS3.3 C.8.9.1): the computation lives in :mod:`workstation.model.suv`
(a pure function of the PET header, so the viewport's renderer can show SUV too); this module
keeps the names measurements and SR writing import."""

from workstation.model.suv import (
    HEIGHT_RANGE_M,
    MAX_ROLLOVER_HOURS,
    SUL_UNIT,
    SUV_BSA_UNIT,
    SUV_UNIT,
    SuvFactor,
    body_surface_area_m2,
    lean_body_mass_kg,
    sul_factor,
    suv_bsa_factor,
    suv_factor,
    suv_factors,
)

__all__ = [
    "HEIGHT_RANGE_M", "MAX_ROLLOVER_HOURS", "SUL_UNIT", "SUV_BSA_UNIT", "SUV_UNIT", "SuvFactor",
    "body_surface_area_m2", "lean_body_mass_kg", "sul_factor", "suv_bsa_factor", "suv_factor", "suv_factors",
]
