"""The search gRPC API: map requests to the query side and results back."""

from datetime import UTC

from google.protobuf.timestamp_pb2 import Timestamp

from portal.search.v1 import search_pb2 as pb
from portal.search.v1 import search_pb2_grpc
from portal_common.errors import Invalid, grpc_errors
from search.best_bets import BestBet
from search.engine import within_callers_deadline
from search.service import Filters, ItemSearch, SearchResult


class SearchServicer(search_pb2_grpc.SearchServiceServicer):
    def __init__(self, items: ItemSearch):
        self._items = items

    @grpc_errors
    @within_callers_deadline
    async def Search(self, request: pb.SearchRequest, context) -> pb.SearchResponse:
        f = request.filters
        filters = Filters(
            department_id=f.department_id,
            section=f.section,
            item_type=f.item_type,
            audience=f.audience,
            online=f.online if f.HasField("online") else None,
        )
        result = await self._items.search(
            query=request.query, page=request.page or 1, size=request.size or 10, filters=filters
        )
        return _response(result)

    @grpc_errors
    @within_callers_deadline
    async def Suggest(self, request: pb.SuggestRequest, context) -> pb.SuggestResponse:
        found = await self._items.suggest(prefix=request.prefix, size=request.size or 8)
        return pb.SuggestResponse(
            suggestions=[s.text for s in found], items=[pb.Suggestion(text=s.text, item_id=s.item_id) for s in found]
        )

    @grpc_errors
    @within_callers_deadline
    async def RecordClick(self, request: pb.RecordClickRequest, context) -> pb.RecordClickResponse:
        if request.item_id <= 0:
            raise Invalid("item_id_invalid", "事项编号无效", field="item_id")
        await self._items.popularity.record(request.item_id)
        return pb.RecordClickResponse()

    @grpc_errors
    @within_callers_deadline
    async def PinBestBet(self, request: pb.PinBestBetRequest, context) -> pb.BestBet:
        if not request.HasField("expires_at"):
            raise Invalid("expiry_invalid", "请填写置顶的到期时间", field="expires_at")
        bet = await self._items.best_bets.pin(
            query=request.query,
            item_id=request.item_id,
            expires_at=request.expires_at.ToDatetime(tzinfo=UTC),
            created_by=request.created_by,
        )
        return _best_bet(bet)

    @grpc_errors
    @within_callers_deadline
    async def ListBestBets(self, request: pb.ListBestBetsRequest, context) -> pb.ListBestBetsResponse:
        return pb.ListBestBetsResponse(best_bets=[_best_bet(bet) for bet in await self._items.best_bets.list()])

    @grpc_errors
    @within_callers_deadline
    async def RemoveBestBet(self, request: pb.RemoveBestBetRequest, context) -> pb.RemoveBestBetResponse:
        await self._items.best_bets.remove(query=request.query, item_id=request.item_id)
        return pb.RemoveBestBetResponse()


def _response(result: SearchResult) -> pb.SearchResponse:
    return pb.SearchResponse(
        total=result.total,
        suggestion=result.suggestion,
        hits=[
            pb.SearchHit(
                item_id=h.item_id,
                title=h.title,
                department=h.department,
                department_id=h.department_id,
                section=h.section,
                summary=h.summary,
                online=h.online,
                score=h.score,
                highlight=h.highlight,
                pinned=h.pinned,
            )
            for h in result.hits
        ],
        facets=[
            pb.Facet(name=f.name, values=[pb.FacetValue(value=v.value, label=v.label, count=v.count) for v in f.values])
            for f in result.facets
        ],
    )


def _best_bet(bet: BestBet) -> pb.BestBet:
    expires_at, created_at = Timestamp(), Timestamp()
    expires_at.FromDatetime(bet.expires_at)
    created_at.FromDatetime(bet.created_at)
    return pb.BestBet(
        query=bet.query, item_id=bet.item_id, expires_at=expires_at, created_by=bet.created_by, created_at=created_at
    )
