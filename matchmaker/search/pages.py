"""The /needs search page: open needs for everyone, filters with counts, htmx partials."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.portal import PortalDep
from matchmaker.search import listing
from matchmaker.search.service import SearchService

router = APIRouter(include_in_schema=False)
RESULTS_ID = "search-results"


@router.get("/needs")
def search_needs(portal: PortalDep) -> Response:
    request = portal.request
    search: SearchService = request.app.state.search
    params = listing.SearchParams.parse(request.query_params)
    results = search.search(portal.db, params.query())
    context = listing.context(results, params, graph=search.chain_graph, locale=portal.locale)
    # htmx asks for the results region only; a boosted link from elsewhere wants the page.
    headers = request.headers
    partial = "hx-request" in headers and (
        "hx-boosted" not in headers or headers.get("hx-target") == RESULTS_ID
    )
    template = "search/_results.html" if partial else "search/index.html"
    response = portal.render(template, {**context, "results_id": RESULTS_ID})
    response.headers["Vary"] = "HX-Request"
    return response
