"""A deterministic, realistic sample catalog of a prefecture-level city; see generator.build_catalog."""

from catalog.sample.generator import SampleCatalog, build_catalog

__all__ = ["SampleCatalog", "build_catalog"]
