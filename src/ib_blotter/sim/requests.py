"""How the simulator answers each client request: one table, `REQUESTS`, binds each message id
to the parser of `incoming` that reads it (the one the codec tests check against ib_async and
ibapi) and to the handler that answers it. A request the table does not hold is refused at
once, with an error tied to its request id when it has one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from . import incoming as inc
from . import outgoing as out
from .combos import NO_DETAILS
from .feeds import (
    BBO_EXCHANGE,
    SNAPSHOT_PERMISSIONS,
    account_summary_values,
    account_values,
    held,
    option_ticks,
    pnl_figures,
    pnl_single_figures,
    portfolio_line,
    quote_ticks,
)
from .model import Fill, SimContract, SimOrder
from .outgoing import Fields
from .rules import MISSING_EXCHANGE, NO_SECURITY, no_security_text, parse_ib_time
from .session import Session
from .versions import Layout

if TYPE_CHECKING:
    from .simulator import Simulator

Handler = Callable[["Simulator", Session, Any], None]


@dataclass(frozen=True, slots=True)
class Request:
    name: str
    parse: Callable[..., Any]
    handle: Handler
    versioned: bool = False  # the parser reads the connection's layout (placeOrder)

    def __call__(self, sim: Simulator, session: Session, message: list[str]) -> None:
        parsed = (self.parse(message, Layout(session.version)) if self.versioned
                  else self.parse(message))
        self.handle(sim, session, parsed)


REQUESTS: dict[int, Request] = {}
HANDLERS = REQUESTS  # its older name: the message ids served (tests/faults fuzzes them)
NOT_SIMULATED_CODE = 320  # "Server error when reading an API client request", tied to its id


def request(msg_id: int, parse: Callable[..., Any], versioned: bool = False
            ) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        REQUESTS[msg_id] = Request(fn.__name__, parse, fn, versioned)
        return fn

    return register


def refuse_unsimulated(session: Session, message: list[str]) -> None:
    """A request the simulator does not serve: an error at once, tied to its request id."""
    msg_id = inc.message_id(message)
    if msg_id in inc.QUIET_CANCELS:
        return
    name, at = inc.NOT_SIMULATED.get(msg_id, (f"message {msg_id}", None))
    req_id = -1
    if at is not None and at < len(message):
        try:
            req_id = int(message[at])
        except ValueError:
            req_id = -1
    session.error(req_id, NOT_SIMULATED_CODE,
                  f"Server error when reading an API client request: {name} is not simulated.")


def _client(session: Session) -> int:
    return session.client_id if session.client_id is not None else -1


# ---- orders ----------------------------------------------------------------------------------
@request(inc.PLACE_ORDER, inc.parse_place_order, versioned=True)
def place_order(sim: Simulator, session: Session,
                parsed: tuple[int, SimContract, inc.OrderRequest]) -> None:
    from .simulator import ReceivedOrder

    order_id, contract, req = parsed
    sim.traffic.received_orders.append(ReceivedOrder(_client(session), order_id, contract, req))
    if not contract.exchange and (_client(session), order_id) not in sim.exchange.orders:
        session.error(order_id, 321, MISSING_EXCHANGE)  # TWS routes nothing by conId alone
        return
    sim.exchange.place(_client(session), order_id, contract, req)


@request(inc.CANCEL_ORDER, inc.parse_cancel_order)
def cancel_order(sim: Simulator, session: Session, order_id: int) -> None:
    sim.traffic.cancels.append((_client(session), order_id))
    sim.exchange.cancel(_client(session), order_id)


@request(inc.REQ_GLOBAL_CANCEL, inc.parse_versioned_only)
def global_cancel(sim: Simulator, session: Session, _: None) -> None:
    sim.traffic.global_cancels += 1
    sim.exchange.cancel_all()


@request(inc.REQ_IDS, inc.parse_req_ids)
def req_ids(sim: Simulator, session: Session, _: int) -> None:
    session.send(out.next_valid_id(sim.exchange.next_order_id(_client(session))))


def send_orders(session: Session, orders: list[SimOrder]) -> None:
    """openOrder and orderStatus of each, then openOrderEnd: a long reply (send_bulk)."""
    session.announced.update(order.permId for order in orders)
    session.send_bulk(_order_messages(orders))


def _order_messages(orders: list[SimOrder]) -> Iterator[Fields]:
    for order in orders:
        yield out.open_order(order)
        yield out.order_status(order)
    yield out.open_order_end()


def _working(sim: Simulator) -> list[SimOrder]:
    """What TWS lists: working orders, never one held with transmit=False."""
    return [o for o in sim.exchange.by_perm.values() if sim.exchange._visible(o)]


@request(inc.REQ_OPEN_ORDERS, inc.parse_versioned_only)
def req_open_orders(sim: Simulator, session: Session, _: None) -> None:
    client_id = _client(session)
    if client_id == 0:
        sim.exchange.bind_manual_orders()
    mine = [o for o in _working(sim) if o.clientId == client_id and (o.orderId or client_id)]
    send_orders(session, mine)


@request(inc.REQ_ALL_OPEN_ORDERS, inc.parse_versioned_only)
def req_all_open_orders(sim: Simulator, session: Session, _: None) -> None:
    send_orders(session, _working(sim))


@request(inc.REQ_AUTO_OPEN_ORDERS, inc.parse_req_auto_open_orders)
def req_auto_open_orders(sim: Simulator, session: Session, auto_bind: bool) -> None:
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
    session.subs.auto_bind = auto_bind


@request(inc.REQ_COMPLETED_ORDERS, inc.parse_req_completed_orders)
def req_completed_orders(sim: Simulator, session: Session, api_only: bool) -> None:
    done = [
        order for order in sim.exchange.by_perm.values()
        if order.is_done and not (api_only and order.clientId == 0 and order.orderId <= 0)
    ]
    session.send_bulk(chain(map(out.completed_order, done), [out.completed_orders_end()]))


# ---- executions ------------------------------------------------------------------------------
@request(inc.REQ_EXECUTIONS, inc.parse_req_executions)
def req_executions(sim: Simulator, session: Session,
                   parsed: tuple[int, inc.ExecutionFilter]) -> None:
    req_id, wanted = parsed
    # filtered as they are sent, so a day of fills is a long reply, never a long pause; the
    # time read once (read for each of 100,000 fills, it held the loop 1-2 s)
    moment = parse_ib_time(wanted.time) if wanted.time else None
    since = moment.timestamp() if moment is not None else None
    fills = (f for f in list(sim.exchange.fills)
             if _visible(sim, session, f) and _passes(wanted, since, f))
    session.send_bulk(_execution_messages(req_id, fills))


def _execution_messages(req_id: int, fills: Iterable[Fill]) -> Iterator[Fields]:
    for fill in fills:
        yield out.exec_details(req_id, fill)
        yield out.commission_report(fill)
    yield out.exec_details_end(req_id)


def _visible(sim: Simulator, session: Session, fill: Fill) -> bool:
    client_id = _client(session)
    return client_id in (fill.clientId, sim.config.master_client_id)


def _passes(wanted: inc.ExecutionFilter, since: float | None, fill: Fill) -> bool:
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
    return since is None or fill.timestamp >= since


# ---- contracts and market data ---------------------------------------------------------------
@request(inc.REQ_CONTRACT_DATA, inc.parse_req_contract_details)
def req_contract_details(sim: Simulator, session: Session,
                         parsed: tuple[int, SimContract]) -> None:
    req_id, contract = parsed
    if contract.secType.upper() == "BAG":
        session.error(req_id, 321, NO_DETAILS)
        return
    matches = sim.universe.match(contract)
    if not matches:
        session.error(req_id, 200, NO_SECURITY)
        return
    for inst in matches:
        session.send(out.contract_details(req_id, sim.universe.details(inst)))
    session.send(out.contract_details_end(req_id))


@request(inc.REQ_MARKET_RULE, inc.parse_req_market_rule)
def req_market_rule(sim: Simulator, session: Session, rule_id: int) -> None:
    increments = sim.universe.market_rule(rule_id)
    if increments is None:
        session.error(-1, 200, NO_SECURITY)  # TWS names no request: marketRule has no reqId
        return
    session.send(out.market_rule(rule_id, increments))


@request(inc.REQ_MATCHING_SYMBOLS, inc.parse_req_matching_symbols)
def req_matching_symbols(sim: Simulator, session: Session, parsed: tuple[int, str]) -> None:
    req_id, pattern = parsed
    found = sim.universe.matching_symbols(pattern)
    session.send(out.symbol_samples(req_id, found, session.version))


@request(inc.REQ_SEC_DEF_OPT_PARAMS, inc.parse_req_sec_def_opt_params)
def req_sec_def_opt_params(sim: Simulator, session: Session,
                           parsed: tuple[int, str, str, str, int]) -> None:
    """The option chains on an underlying, one message per exchange, then the end marker (an
    underlying with no options gets the end marker alone)."""
    req_id, symbol, fop_exchange, sec_type, con_id = parsed
    for listed in sim.universe.option_chains(symbol, fop_exchange, sec_type, con_id):
        session.send(out.security_definition_option_parameter(req_id, *listed))
    session.send(out.security_definition_option_parameter_end(req_id))


@request(inc.REQ_NEWS_BULLETINS, inc.parse_req_news_bulletins)
def req_news_bulletins(sim: Simulator, session: Session, _: bool) -> None:
    """Accepted, as TWS does; the simulated exchange has no bulletins to send."""


@request(inc.CANCEL_NEWS_BULLETINS, inc.parse_versioned_only)
def cancel_news_bulletins(sim: Simulator, session: Session, _: None) -> None:
    """Nothing streams, so nothing to stop."""


@request(inc.REQ_MKT_DATA, inc.parse_req_mkt_data)
def req_mkt_data(sim: Simulator, session: Session,
                 parsed: tuple[int, SimContract, str, bool, bool]) -> None:
    req_id, contract, _generic, snapshot, regulatory = parsed
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
    if inst.contract.secType == "BAG":  # the net of its legs, under the combo's own id
        con_id = sim.market.combo_id(inst.contract.comboLegs)
    session.send(out.tick_req_params(req_id, inst.minTick, BBO_EXCHANGE, SNAPSHOT_PERMISSIONS))
    session.send(out.market_data_type(req_id, session.subs.market_data_type))
    epoch = int(sim.config.clock())
    for message in quote_ticks(
        req_id, sim.market.quote(con_id), session.subs.market_data_type, epoch, inst=inst
    ):
        session.send(message)
    for message in option_ticks(req_id, sim.market.greeks(con_id)):
        session.send(message)
    if not streaming:
        session.send(out.tick_snapshot_end(req_id))
        return
    session.subs.market_data[req_id] = con_id
    sim.forget_quotes(session, req_id)


@request(inc.CANCEL_MKT_DATA, inc.parse_cancel_mkt_data)
def cancel_mkt_data(sim: Simulator, session: Session, req_id: int) -> None:
    session.subs.market_data.pop(req_id, None)
    sim.forget_quotes(session, req_id)


@request(inc.REQ_TICK_BY_TICK, inc.parse_req_tick_by_tick)
def req_tick_by_tick(sim: Simulator, session: Session,
                     parsed: tuple[int, SimContract, str, int, bool]) -> None:
    req_id, contract, tick_type, _count, _ignore_size = parsed
    matches = sim.universe.match(contract)
    if len(matches) != 1:
        session.error(req_id, 200, no_security_text(contract, matches))
        return
    if tick_type not in out.TICK_BY_TICK_TYPES:
        session.error(req_id, 321, f"Error validating request.-'cb' : cause - Invalid tick "
                                   f"type {tick_type!r}")
        return
    con_id = matches[0].contract.conId
    session.subs.tick_by_tick[req_id] = (con_id, tick_type)
    session.send(out.tick_by_tick(req_id, tick_type, sim.market.quote(con_id),
                                  int(sim.config.clock()), matches[0]))


@request(inc.CANCEL_TICK_BY_TICK, inc.parse_cancel_tick_by_tick)
def cancel_tick_by_tick(sim: Simulator, session: Session, req_id: int) -> None:
    session.subs.tick_by_tick.pop(req_id, None)
    sim.forget_quotes(session, -req_id)


@request(inc.REQ_MARKET_DATA_TYPE, inc.parse_req_market_data_type)
def req_market_data_type(sim: Simulator, session: Session, data_type: int) -> None:
    session.subs.market_data_type = data_type


# ---- account ---------------------------------------------------------------------------------
@request(inc.REQ_MANAGED_ACCTS, inc.parse_versioned_only)
def req_managed_accounts(sim: Simulator, session: Session, _: None) -> None:
    session.send(out.managed_accounts(sim.config.accounts))


@request(inc.REQ_CURRENT_TIME, inc.parse_versioned_only)
def req_current_time(sim: Simulator, session: Session, _: None) -> None:
    session.send(out.current_time(int(sim.config.clock())))


@request(inc.REQ_POSITIONS, inc.parse_versioned_only)
def req_positions(sim: Simulator, session: Session, _: None) -> None:
    session.subs.positions = True
    for account in sim.exchange.accounts.values():
        for holding in held(account):
            session.send(
                out.position(
                    account.name, holding.inst.contract, holding.position, holding.avg_cost
                )
            )
    session.send(out.position_end())


@request(inc.CANCEL_POSITIONS, inc.parse_versioned_only)
def cancel_positions(sim: Simulator, session: Session, _: None) -> None:
    session.subs.positions = False


@request(inc.REQ_POSITIONS_MULTI, inc.parse_req_positions_multi)
def req_positions_multi(sim: Simulator, session: Session, parsed: tuple[int, str, str]) -> None:
    req_id, name, model_code = parsed
    accounts = [a for a in sim.exchange.accounts.values() if name in ("", "All", a.name)]
    for account in accounts:
        for holding in held(account):
            session.send(out.position_multi(req_id, account.name, model_code,
                                            holding.inst.contract, holding.position,
                                            holding.avg_cost))
    session.send(out.position_multi_end(req_id))


@request(inc.CANCEL_POSITIONS_MULTI, inc.parse_cancel_positions_multi)
def cancel_positions_multi(sim: Simulator, session: Session, req_id: int) -> None:
    """Positions per model are sent once; nothing streams."""


@request(inc.REQ_ACCT_DATA, inc.parse_req_account_updates)
def req_account_updates(sim: Simulator, session: Session, parsed: tuple[bool, str]) -> None:
    subscribe, name = parsed
    name = name or sim.config.accounts[0]
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


@request(inc.REQ_ACCOUNT_UPDATES_MULTI, inc.parse_req_account_updates_multi)
def req_account_updates_multi(sim: Simulator, session: Session,
                              parsed: tuple[int, str, str, bool]) -> None:
    req_id, name, _model, _ledger = parsed
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


@request(inc.CANCEL_ACCOUNT_UPDATES_MULTI, inc.parse_cancel_account_updates_multi)
def cancel_account_updates_multi(sim: Simulator, session: Session, req_id: int) -> None:
    session.subs.account_multi.pop(req_id, None)


@request(inc.REQ_ACCOUNT_SUMMARY, inc.parse_req_account_summary)
def req_account_summary(sim: Simulator, session: Session, parsed: tuple[int, str, str]) -> None:
    req_id, _group, tag_text = parsed
    tags = set(tag_text.split(","))
    marks = sim.exchange.marks()
    for account in sim.exchange.accounts.values():
        for key, value, currency in account_summary_values(account, marks, tags):
            session.send(out.account_summary(req_id, account.name, key, value, currency))
    session.send(out.account_summary_end(req_id))


@request(inc.CANCEL_ACCOUNT_SUMMARY, inc.parse_cancel_account_summary)
def cancel_account_summary(sim: Simulator, session: Session, req_id: int) -> None:
    """Summaries are sent once; nothing streams, so nothing to stop."""


@request(inc.REQ_PNL, inc.parse_req_pnl)
def req_pnl(sim: Simulator, session: Session, parsed: tuple[int, str, str]) -> None:
    req_id, name, _model = parsed
    if name not in sim.exchange.accounts:
        session.error(req_id, 321, f"Error validating request: unknown account {name}")
        return
    session.subs.pnl[req_id] = name
    _send_pnl(sim, session, req_id, name)


@request(inc.CANCEL_PNL, inc.parse_cancel_pnl)
def cancel_pnl(sim: Simulator, session: Session, req_id: int) -> None:
    session.subs.pnl.pop(req_id, None)


@request(inc.REQ_PNL_SINGLE, inc.parse_req_pnl_single)
def req_pnl_single(sim: Simulator, session: Session, parsed: tuple[int, str, str, int]) -> None:
    req_id, name, _model, con_id = parsed
    if name not in sim.exchange.accounts or con_id not in sim.universe.by_con_id:
        session.error(req_id, 200, NO_SECURITY)
        return
    session.subs.pnl_single[req_id] = (name, con_id)
    _send_pnl_single(sim, session, req_id, name, con_id)


@request(inc.CANCEL_PNL_SINGLE, inc.parse_cancel_pnl_single)
def cancel_pnl_single(sim: Simulator, session: Session, req_id: int) -> None:
    session.subs.pnl_single.pop(req_id, None)


def _send_pnl(sim: Simulator, session: Session, req_id: int, name: str) -> None:
    daily, unrealized, realized = pnl_figures(sim.exchange.accounts[name], sim.exchange.marks())
    session.send(out.pnl(req_id, daily, unrealized, realized))


def _send_pnl_single(sim: Simulator, session: Session, req_id: int, name: str, con_id: int) -> None:
    inst = sim.universe.by_con_id[con_id]
    mark = sim.market.mark(con_id)
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
