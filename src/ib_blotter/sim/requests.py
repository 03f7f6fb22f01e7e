"""How the simulator answers each client request, by message id, as TWS does at version 178."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING

from . import incoming as inc
from . import outgoing as out
from .feeds import (
    BBO_EXCHANGE,
    SNAPSHOT_PERMISSIONS,
    account_values,
    held,
    pnl_figures,
    pnl_single_figures,
    portfolio_line,
    quote_ticks,
)
from .model import Fill, SimOrder
from .outgoing import Fields
from .rules import MISSING_EXCHANGE, no_security_text, parse_ib_time
from .session import Session

if TYPE_CHECKING:
    from .simulator import Simulator

Handler = Callable[["Simulator", Session, list[str]], None]
HANDLERS: dict[int, Handler] = {}


def handles(msg_id: int) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[msg_id] = fn
        return fn

    return register


def _client(session: Session) -> int:
    return session.client_id if session.client_id is not None else -1


# ---- orders ----------------------------------------------------------------------------------
@handles(3)
def place_order(sim: Simulator, session: Session, msg: list[str]) -> None:
    from .simulator import ReceivedOrder

    order_id, contract, request = inc.parse_place_order(msg)
    sim.traffic.received_orders.append(ReceivedOrder(_client(session), order_id, contract, request))
    if not contract.exchange and (_client(session), order_id) not in sim.exchange.orders:
        session.error(order_id, 321, MISSING_EXCHANGE)  # TWS routes nothing by conId alone
        return
    sim.exchange.place(_client(session), order_id, contract, request)


@handles(4)
def cancel_order(sim: Simulator, session: Session, msg: list[str]) -> None:
    order_id = inc.parse_cancel_order(msg)
    sim.traffic.cancels.append((_client(session), order_id))
    sim.exchange.cancel(_client(session), order_id)


@handles(58)
def global_cancel(sim: Simulator, session: Session, msg: list[str]) -> None:
    sim.traffic.global_cancels += 1
    sim.exchange.cancel_all()


@handles(8)
def req_ids(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.send(out.next_valid_id(sim.exchange.next_order_id(_client(session))))


def _send_orders(session: Session, orders: list[SimOrder]) -> None:
    session.send_bulk(_order_messages(orders))


def _order_messages(orders: list[SimOrder]) -> Iterator[Fields]:
    for order in orders:
        yield out.open_order(order)
        yield out.order_status(order)
    yield out.open_order_end()


def _working(sim: Simulator) -> list[SimOrder]:
    """What TWS lists: working orders, never one held with transmit=False."""
    return [o for o in sim.exchange.by_perm.values() if sim.exchange._visible(o)]


@handles(5)
def req_open_orders(sim: Simulator, session: Session, msg: list[str]) -> None:
    client_id = _client(session)
    if client_id == 0:
        sim.exchange.bind_manual_orders()
    mine = [o for o in _working(sim) if o.clientId == client_id and (o.orderId or client_id)]
    _send_orders(session, mine)


@handles(16)
def req_all_open_orders(sim: Simulator, session: Session, msg: list[str]) -> None:
    _send_orders(session, _working(sim))


@handles(15)
def req_auto_open_orders(sim: Simulator, session: Session, msg: list[str]) -> None:
    if _client(session) != 0:
        session.error(
            -1,
            321,
            "Error validating request.-'bM' : cause - The API client is "
            "not allowed to auto bind orders (client id 0 only).",
        )
        return
    # orders typed into TWS from now on are bound as they come; those already working are
    # bound by client 0's reqOpenOrders
    session.subs.auto_bind = msg[2] in ("1", "True", "true")


@handles(99)
def req_completed_orders(sim: Simulator, session: Session, msg: list[str]) -> None:
    api_only = msg[1] in ("1", "True", "true") if len(msg) > 1 else False
    done = [
        order for order in sim.exchange.by_perm.values()
        if order.is_done and not (api_only and order.clientId == 0 and order.orderId <= 0)
    ]
    session.send_bulk(chain(map(out.completed_order, done), [out.completed_orders_end()]))


# ---- executions ------------------------------------------------------------------------------
@handles(7)
def req_executions(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, wanted = inc.parse_req_executions(msg)
    # filtered as they are sent, so a day of fills is a long reply, never a long pause
    fills = (f for f in list(sim.exchange.fills)
             if _visible(sim, session, f) and _passes(wanted, f))
    session.send_bulk(_execution_messages(req_id, fills))


def _execution_messages(req_id: int, fills: Iterable[Fill]) -> Iterator[Fields]:
    for fill in fills:
        yield out.exec_details(req_id, fill)
        yield out.commission_report(fill)
    yield out.exec_details_end(req_id)


def _visible(sim: Simulator, session: Session, fill: Fill) -> bool:
    client_id = _client(session)
    return client_id in (fill.clientId, sim.config.master_client_id)


def _passes(wanted: inc.ExecutionFilter, fill: Fill) -> bool:
    if wanted.clientId and wanted.clientId != fill.clientId:
        return False
    if wanted.acctCode and wanted.acctCode != fill.account:
        return False
    if wanted.symbol and wanted.symbol.upper() != fill.contract.symbol:
        return False
    if wanted.secType and wanted.secType.upper() != fill.contract.secType:
        return False
    if wanted.exchange and wanted.exchange.upper() not in (fill.exchange, fill.contract.exchange):
        return False
    side = {"BUY": "BOT", "SELL": "SLD"}.get(wanted.side.upper(), wanted.side.upper())
    if side and side != fill.side:
        return False
    since = parse_ib_time(wanted.time) if wanted.time else None
    return since is None or fill.timestamp >= since.timestamp()


# ---- contracts and market data ---------------------------------------------------------------
@handles(9)
def req_contract_details(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, contract = inc.parse_req_contract_details(msg)
    matches = sim.universe.match(contract)
    if not matches:
        session.error(req_id, 200, "No security definition has been found for the request")
        return
    for inst in matches:
        session.send(out.contract_details(req_id, sim.universe.details(inst)))
    session.send(out.contract_details_end(req_id))


@handles(1)
def req_mkt_data(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, contract, _generic, snapshot, regulatory = inc.parse_req_mkt_data(msg)
    matches = sim.universe.match(contract)
    if len(matches) != 1:
        session.error(req_id, 200, no_security_text(contract, matches))
        return
    streaming = not (snapshot or regulatory)
    lines = session.subs.market_data
    if streaming and req_id not in lines and len(lines) >= sim.config.max_market_data_lines:
        session.error(req_id, 101, "Max number of tickers has been reached.")
        return
    inst = matches[0]
    con_id = inst.contract.conId
    session.send(out.tick_req_params(req_id, inst.minTick, BBO_EXCHANGE, SNAPSHOT_PERMISSIONS))
    session.send(out.market_data_type(req_id, session.subs.market_data_type))
    epoch = int(sim.config.clock())
    for message in quote_ticks(
        req_id, sim.market.quote(con_id), session.subs.market_data_type, epoch
    ):
        session.send(message)
    if not streaming:
        session.send(out.tick_snapshot_end(req_id))
        return
    session.subs.market_data[req_id] = con_id
    sim.forget_quotes(session, req_id)


@handles(2)
def cancel_mkt_data(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id = int(msg[2])
    session.subs.market_data.pop(req_id, None)
    sim.forget_quotes(session, req_id)


@handles(59)
def req_market_data_type(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.subs.market_data_type = int(msg[2])


# ---- account ---------------------------------------------------------------------------------
@handles(17)
def req_managed_accounts(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.send(out.managed_accounts(sim.config.accounts))


@handles(49)
def req_current_time(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.send(out.current_time(int(sim.config.clock())))


@handles(61)
def req_positions(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.subs.positions = True
    for account in sim.exchange.accounts.values():
        for holding in held(account):
            session.send(
                out.position(
                    account.name, holding.inst.contract, holding.position, holding.avg_cost
                )
            )
    session.send(out.position_end())


@handles(64)
def cancel_positions(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.subs.positions = False


@handles(6)
def req_account_updates(sim: Simulator, session: Session, msg: list[str]) -> None:
    subscribe = msg[2] in ("1", "True", "true")
    name = msg[3] if len(msg) > 3 and msg[3] else sim.config.accounts[0]
    if not subscribe:
        session.subs.account_updates = ""
        return
    if name not in sim.exchange.accounts:
        session.error(-1, 321, f"Error validating request.-'bB' : cause - Unknown account {name}")
        return
    session.subs.account_updates = name
    _send_account(sim, session, name)
    session.send(out.account_download_end(name))


def _send_account(sim: Simulator, session: Session, name: str) -> None:
    account = sim.exchange.accounts[name]
    marks = sim.exchange.marks()
    for key, value, currency in account_values(account, marks):
        session.send(out.update_account_value(key, value, currency, name))
    for holding in held(account):
        session.send(portfolio_line(account, holding, marks[holding.inst.contract.conId]))
    session.send(out.update_account_time(sim.exchange.now().strftime("%H:%M")))


@handles(76)
def req_account_updates_multi(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, name = int(msg[2]), msg[3]
    if name not in sim.exchange.accounts:
        session.error(req_id, 321, f"Error validating request: unknown account {name}")
        return
    session.subs.account_multi[req_id] = name
    _send_account_multi(sim, session, req_id, name)
    session.send(out.account_update_multi_end(req_id))


def _send_account_multi(sim: Simulator, session: Session, req_id: int, name: str) -> None:
    account = sim.exchange.accounts[name]
    for key, value, currency in account_values(account, sim.exchange.marks()):
        session.send(out.account_update_multi(req_id, name, "", key, value, currency))


@handles(77)
def cancel_account_updates_multi(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.subs.account_multi.pop(int(msg[2]), None)


@handles(62)
def req_account_summary(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, tags = int(msg[2]), set(msg[4].split(","))
    marks = sim.exchange.marks()
    for account in sim.exchange.accounts.values():
        for key, value, currency in account_values(account, marks):
            if key in tags or "All" in tags:
                session.send(out.account_summary(req_id, account.name, key, value, currency))
    session.send(out.account_summary_end(req_id))


@handles(63)
def cancel_account_summary(sim: Simulator, session: Session, msg: list[str]) -> None:
    """Summaries are sent once; nothing streams, so nothing to stop."""


@handles(92)
def req_pnl(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, name = int(msg[1]), msg[2]
    if name not in sim.exchange.accounts:
        session.error(req_id, 321, f"Error validating request: unknown account {name}")
        return
    session.subs.pnl[req_id] = name
    _send_pnl(sim, session, req_id, name)


@handles(93)
def cancel_pnl(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.subs.pnl.pop(int(msg[1]), None)


@handles(94)
def req_pnl_single(sim: Simulator, session: Session, msg: list[str]) -> None:
    req_id, name, con_id = int(msg[1]), msg[2], int(msg[4] or 0)
    if name not in sim.exchange.accounts or con_id not in sim.universe.by_con_id:
        session.error(req_id, 200, "No security definition has been found for the request")
        return
    session.subs.pnl_single[req_id] = (name, con_id)
    _send_pnl_single(sim, session, req_id, name, con_id)


@handles(95)
def cancel_pnl_single(sim: Simulator, session: Session, msg: list[str]) -> None:
    session.subs.pnl_single.pop(int(msg[1]), None)


def _send_pnl(sim: Simulator, session: Session, req_id: int, name: str) -> None:
    daily, unrealized, realized = pnl_figures(sim.exchange.accounts[name], sim.exchange.marks())
    session.send(out.pnl(req_id, daily, unrealized, realized))


def _send_pnl_single(sim: Simulator, session: Session, req_id: int, name: str, con_id: int) -> None:
    inst = sim.universe.by_con_id[con_id]
    mark = sim.market.quote(con_id).last
    pos, daily, unrealized, realized, value = pnl_single_figures(
        sim.exchange.accounts[name], inst, mark
    )
    session.send(out.pnl_single(req_id, pos, daily, unrealized, realized, value))


# ---- pushes ----------------------------------------------------------------------------------
def push_account_changes(sim: Simulator, name: str) -> None:
    """After a fill: positions, portfolio and account values of that account, to subscribers."""
    account = sim.exchange.accounts[name]
    for session in list(sim.sessions.values()):
        if session.subs.positions:
            for holding in account.holdings.values():
                session.send(
                    out.position(name, holding.inst.contract, holding.position, holding.avg_cost)
                )
        if session.subs.account_updates == name:
            _send_account(sim, session, name)
        for req_id, multi_name in session.subs.account_multi.items():
            if multi_name == name:
                _send_account_multi(sim, session, req_id, name)


def push_periodic(sim: Simulator) -> None:
    """Once a second: portfolio marks and PnL move with prices."""
    for session in list(sim.sessions.values()):
        if session.subs.account_updates:
            _send_account(sim, session, session.subs.account_updates)
        for req_id, name in list(session.subs.pnl.items()):
            _send_pnl(sim, session, req_id, name)
        for req_id, (name, con_id) in list(session.subs.pnl_single.items()):
            _send_pnl_single(sim, session, req_id, name, con_id)
