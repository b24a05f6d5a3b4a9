"""Choose the search and matching services from the settings: in process by default, on
Elasticsearch or OpenSearch when MATCHMAKER_SEARCH_URL names one."""

from __future__ import annotations

from matchmaker.config import Settings
from matchmaker.matching.service import MatchingService
from matchmaker.search.service import SearchService
from matchmaker.searchengine.client import SearchClient


def engine_client(settings: Settings) -> SearchClient | None:
    if not settings.search_url:
        return None
    from matchmaker.searchengine.adapters import connect

    return connect(settings.search_url, settings.search_ca_file)


def needs_alias(settings: Settings) -> str:
    return f"{settings.search_prefix}-needs"


def profiles_alias(settings: Settings) -> str:
    return f"{settings.search_prefix}-profiles"


def search_service_for(settings: Settings) -> SearchService:
    client = engine_client(settings)
    if client is None:
        return SearchService()
    from matchmaker.searchengine.breaker import Breaker
    from matchmaker.searchengine.guard import GuardedNeedSearch
    from matchmaker.searchengine.needs import EngineNeedSearch

    alias = needs_alias(settings)
    backend = EngineNeedSearch(client, alias, settings.search_replicas)
    guarded = GuardedNeedSearch(backend, Breaker(f"search engine ({alias})"))
    return SearchService(guarded, shared=alias)


def matching_service_for(settings: Settings) -> MatchingService:
    client = engine_client(settings)
    if client is None:
        return MatchingService(settings.data_dir)
    from matchmaker.searchengine.mirror import ProfileMirror

    mirror = ProfileMirror(client, profiles_alias(settings), settings.search_replicas)
    return MatchingService(settings.data_dir, mirror=mirror)
