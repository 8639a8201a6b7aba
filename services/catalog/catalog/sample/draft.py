"""An item not yet written: what the streams yield and the generator numbers and writes."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    """An item's name, what its code is made of, and how to write it."""

    name: str
    region: str  # administrative code of the city or district
    item_type: str
    department: str
    write: Callable[[str, str], dict]  # (name, code) -> item
