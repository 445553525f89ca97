"""An agent typing a reply: the customer's chat shows "<agent> is typing"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from batondesk.actions.typing_indicators import do_announce_typing
from batondesk.api.deps import Principal, SessionDep, require, require_member
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId, TypingCreate, TypingPublic
from batondesk.store.access import get_conversation
from batondesk.store.models import User

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Writer = Annotated[Principal, Depends(require("conversations:write"))]


@router.post(
    "/conversations/{conversation_id}/typing",
    response_model=TypingPublic,
    responses=error_responses(401, 403, 404, 422),
)
def agent_typing(
    conversation_id: RowId,
    body: TypingCreate,
    principal: Writer,
    request: Request,
    session: SessionDep,
) -> TypingPublic:
    """The signed-in agent started (`true`) or stopped (`false`) typing a reply to the
    customer; their chat shows "<name> is typing". Send it for replies only, never while
    writing a private note. Only the fact travels, never the draft; repeats within 2 seconds
    are dropped (`sent: false`)."""
    member = require_member(principal)
    conversation = get_conversation(session, principal.account_id, conversation_id)
    user = session.get(User, member.user_id)
    sent = do_announce_typing(
        session,
        conversation,
        side="agent",
        typing=body.typing,
        throttle=request.app.state.typing_throttle,
        agent_id=member.user_id,
        agent_name=user.name if user is not None else None,
    )
    return TypingPublic(sent=sent)
