"""The service catalogue (事项目录): items with versioned guides, materials, themes, life-event bundles and the
published lists, following GB/T 39046-2020 and the national exchange tables (domain reference §2).

A package (one module per topic); every model is imported here, where Django and the rest of the code find it."""

from onewindow.catalogue.models.bundles import (
    Bundle,
    BundleItem,
)
from onewindow.catalogue.models.guides import (
    Audience,
    BasicItem,
    CaseType,
    CrossRegionScope,
    HandlingForm,
    Item,
    ItemType,
    ItemVersion,
    Material,
    MaterialForm,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultType,
    ServiceObject,
    Theme,
    VersionStatus,
)
from onewindow.catalogue.models.imports import (
    ImportJob,
    ImportJobStatus,
)
from onewindow.catalogue.models.lists import (
    IntermediaryInstitution,
    IntermediaryService,
    NegativeListEntry,
)

__all__ = [
    "Audience",
    "BasicItem",
    "Bundle",
    "BundleItem",
    "CaseType",
    "CrossRegionScope",
    "HandlingForm",
    "ImportJob",
    "ImportJobStatus",
    "IntermediaryInstitution",
    "IntermediaryService",
    "Item",
    "ItemType",
    "ItemVersion",
    "Material",
    "MaterialForm",
    "MaterialSource",
    "Necessity",
    "NegativeListEntry",
    "OnlineDepth",
    "ResultType",
    "ServiceObject",
    "Theme",
    "VersionStatus",
]
