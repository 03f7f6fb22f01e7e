"""A spread's combo (IB's BAG): each leg looked up as an option (the lookup everyone uses),
then the BAG built from the legs' conIds. The BAG itself is never looked up: TWS answers a
BAG's reqContractDetails with 321 alone, a warning to ib_async, so that request never ends."""

from __future__ import annotations

import asyncio

from ..state.option_symbols import describe_option
from ..state.spreads import SpreadDraft, combo_spec
from .adapter import IBAdapter
from .convert import combo_contract
from .lookup import Found, find_option


async def find_spread(adapter: IBAdapter, draft: SpreadDraft) -> Found:
    """The combo of the draft's legs; LookupFailed names the leg IB does not list."""
    found = await asyncio.gather(*(find_option(adapter, leg.option, describe_option(leg.option))
                                   for leg in draft.legs))
    spec = combo_spec([(leg, one.spec) for leg, one in zip(draft.legs, found, strict=True)])
    contract = combo_contract(draft.underlying, spec)
    shares = f"x {spec.multiplier:g}"
    return Found(contract, spec, f"{spec.symbol} · {len(draft.legs)} legs · {shares} · SMART")
