"""Which providers run, from settings (`RESEARCH_PROVIDERS=catalog,serpapi`)."""

from __future__ import annotations

from shopper.research.providers.base import Provider
from shopper.research.providers.catalog import catalog_providers
from shopper.research.providers.serpapi import SerpApiProvider
from shopper.settings import Settings


def build_providers(settings: Settings) -> list[Provider]:
    """The configured providers; raises ValueError for an unknown name or a missing key."""
    providers: list[Provider] = []
    for name in settings.research_providers:
        if name == "catalog":
            providers.extend(catalog_providers())
        elif name == "serpapi":
            if settings.serpapi_api_key is None:
                raise ValueError("the serpapi provider needs SERPAPI_API_KEY")
            providers.append(
                SerpApiProvider(
                    settings.serpapi_api_key.get_secret_value(),
                    base_url=settings.serpapi_base_url,
                    timeout_s=settings.provider_timeout_s,
                )
            )
        else:
            raise ValueError(f"unknown research provider {name!r} (known: catalog, serpapi)")
    return providers
