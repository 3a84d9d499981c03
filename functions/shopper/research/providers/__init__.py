"""Product sources behind one protocol (`base.Provider`), one module per source."""

from __future__ import annotations

from shopper.research.providers.base import Provider, ProviderError
from shopper.research.providers.registry import build_providers

__all__ = ["Provider", "ProviderError", "build_providers"]
