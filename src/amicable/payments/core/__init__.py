"""The pure payments core: allocation of a payment across balance buckets. No Django."""

from amicable.payments.core.allocation import (
    ALLOCATION_RULES,
    AllocationRule,
    BucketAmounts,
    UnableToAllocate,
    allocate_payment,
)

__all__ = [
    "ALLOCATION_RULES",
    "AllocationRule",
    "BucketAmounts",
    "UnableToAllocate",
    "allocate_payment",
]
