"""`Sender`: from the gate's decision to IB, the one way the screen sends anything.

A decision the gate refuses is said, next to the field when it names one, and nothing goes.
Otherwise the confirmation shows it; the key the trader answers with becomes an `Approval`
(only the decision's send key approves), and the adapter, which asks the gate again, sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import RenderableType

from ..ib.errors import AdapterError
from ..state import gate
from ..state.gate import Decision
from ..state.records import LogKind
from .order_confirm_screen import OrderConfirmScreen

if TYPE_CHECKING:
    import ib_async

    from .app import BlotterApp

Done = Callable[[], None]


class Sender:
    def __init__(self, app: BlotterApp) -> None:
        self.app = app

    def confirm(self, decision: Decision, summary: RenderableType, *, title: str,
                contract: ib_async.Contract | None = None, preview_note: str | None = None,
                sent: Done | None = None, back: Done | None = None,
                ) -> OrderConfirmScreen | None:
        """Ask the trader; send on the decision's send key. None (and nothing shown but the
        reason) when the gate refuses."""
        if not decision.allowed:
            self.refused(decision.refusal, title)
            return None
        screen = OrderConfirmScreen(decision, summary, title, preview_note)

        def answered(key: str | None) -> None:
            self.app.answered.append((decision, key))
            if key is None:
                if back is not None:
                    back()
            elif self.send(decision, key, contract) and sent is not None:
                sent()

        self.app.push_screen(screen, answered)
        return screen

    def send(self, decision: Decision, key: str,
             contract: ib_async.Contract | None = None) -> bool:
        """Approve with `key` and send; a refusal or a failure is said, never raised."""
        failure = f"{decision.request.action.capitalize()} not sent"
        try:
            approval = gate.approve(decision, key)
            self.app.adapter.send(approval, contract)
        except (gate.NotApprovedError, AdapterError) as exc:
            self.refused(str(exc), failure)
            return False
        except Exception as exc:
            self.app.report(f"{failure}: {exc}", exc)
            return False
        self.app.approvals.append(approval)
        return True

    def refused(self, reason: str, what: str) -> None:
        self.app.notify(reason, title=what, severity="warning")
        self.app.state.log(LogKind.WARNING, f"{what}: {reason}")
