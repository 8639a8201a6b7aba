"""The search gRPC API: map requests to the query side and results back."""

from opensearchpy import AsyncOpenSearch

from portal.search.v1 import search_pb2 as pb
from portal.search.v1 import search_pb2_grpc
from portal_common.errors import grpc_errors
from search import service


class SearchServicer(search_pb2_grpc.SearchServiceServicer):
    def __init__(self, engine: AsyncOpenSearch, alias: str):
        self._engine = engine
        self._alias = alias

    @grpc_errors
    async def Search(self, request: pb.SearchRequest, context) -> pb.SearchResponse:
        result = await service.search(
            self._engine, self._alias, query=request.query, page=request.page or 1, size=request.size or 10
        )
        return pb.SearchResponse(
            total=result.total,
            suggestion=result.suggestion,
            hits=[
                pb.SearchHit(
                    item_id=h.item_id,
                    title=h.title,
                    department=h.department,
                    section=h.section,
                    score=h.score,
                    highlight=h.highlight,
                )
                for h in result.hits
            ],
        )

    @grpc_errors
    async def Suggest(self, request: pb.SuggestRequest, context) -> pb.SuggestResponse:
        titles = await service.suggest(self._engine, self._alias, prefix=request.prefix, size=request.size or 8)
        return pb.SuggestResponse(suggestions=titles)
