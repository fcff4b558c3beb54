"""Independent validators for what the delivery sends: FHIR R4 bundles and HL7 v2 messages.

* FHIR: ``fhir.resources`` (pydantic models of the FHIR specification) parses every Bundle with
  its R4B models (R4B's Bundle, DiagnosticReport, Binary, Provenance, Patient and Practitioner
  are the R4 ones); it refuses unknown elements, wrong types and wrong cardinalities. Every entry
  must also carry a ``fullUrl`` (FHIR R4 bundle.html 2.36.4), which the models leave optional.
* HL7 v2: ``hl7apy`` parses the message in STRICT mode against the v2.5 ORU_R01 structure and its
  validator checks it. Allowance: hl7apy types the components of OBX-5 (datatype "varies") as
  ST, at most 199 characters, which no embedded PDF meets; so OBX-5 of an ``ED`` observation is
  parsed strictly on its own as an ED (whose data, TX, hl7apy limits to 65536 characters: still
  stricter than HL7 v2.5, which sets no maximum; the workstation's default size limit for an
  embedded PDF is that same 65536), then replaced by its header alone for the whole-message
  parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_components, parse_message
from hl7apy.validation import Validator


def validate_fhir_bundle(bundle: Mapping[str, Any]) -> Bundle:
    """The parsed Bundle; raises (pydantic ValidationError, AssertionError) when it is invalid."""
    parsed = Bundle.model_validate(dict(bundle))
    missing = [i for i, e in enumerate(bundle.get("entry", [])) if not e.get("fullUrl")]
    assert not missing, f"bundle entries without fullUrl: {missing}"
    return parsed


def validate_hl7(message: str) -> Any:
    """The hl7apy message; raises when the message does not parse strictly or validate."""
    segments = [s for s in message.replace("\n", "\r").split("\r") if s]
    for index, segment in enumerate(segments):
        fields = segment.split("|")
        if fields[0] == "OBX" and len(fields) > 5 and fields[2] == "ED":
            ed = parse_components(fields[5], field_datatype="ED", version="2.5",
                                  validation_level=VALIDATION_LEVEL.STRICT)
            typed = {c.name: c.to_er7() for c in ed}
            assert (typed.get("ED_2"), typed.get("ED_3"), typed.get("ED_4")) == \
                ("AP", "PDF", "Base64"), fields[5][:40]
            fields[5] = "^AP^PDF^Base64^"
            segments[index] = "|".join(fields)
    parsed = parse_message("\r".join(segments), validation_level=VALIDATION_LEVEL.STRICT,
                           find_groups=True)
    assert Validator.validate(parsed, report_file=None)
    return parsed
